// Package vis makes feature visualizations: images optimised to excite a
// unit, the portraits by which the Circuits thread names every neuron.
//
// It reads an ONNX graph (a reference network, or a compiled circuit with
// its own input range) and a target tensor, builds the gradient graph
// (package onnx/grad) and runs it with onnxruntime (package runtime), on
// the CPU or CUDA, for many units at once (one image per unit of a
// batch). The rest of the recipe runs here, with its own adjoints: the
// recipe of Lucid (Olah et al., Feature Visualization, Distill 2017):
//
//   - a Fourier-basis parametrization, each frequency scaled by 1/f (an
//     orthonormal inverse real DFT of the scaled spectrum, over 4);
//   - the ImageNet colour-decorrelation matrix (the square root of the
//     colour correlation, normalised by its largest column norm);
//   - a sigmoid into [0, 1], then the model's own preprocessing;
//   - transformation robustness, each step: pad 12 with grey, jitter 8,
//     scale by one of 0.9 … 1.1, rotate by one of −10° … 10°, jitter 4,
//     composed into one bilinear resampling onto the optimised size;
//   - Adam (learning rate 0.05), 512 steps by default.
//
// Guarantees: the same options and seed give the same images; every
// adjoint is tested against its forward map.
package vis
