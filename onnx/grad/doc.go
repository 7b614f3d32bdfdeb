// Package grad adds gradients to ONNX graphs: given a graph, its image
// input and a target tensor, Build returns a graph that computes, beside
// the target, the gradient of the objective Σ seed·target with respect to
// the image, where the seed (a second input, the target's shape) says
// which units the objective weighs: a channel's centre cell, a channel's
// mean, a direction. Every image of a batch has its own seed, so many
// units are optimised in one run, on the CPU or CUDA (the backward ops are
// ordinary ONNX ops with kernels on both).
//
// It reads graphs through package onnx and produces graphs; it knows
// nothing of circuits or of the runtime. Each op's vector-Jacobian product
// is a few ONNX nodes (Conv: ConvTranspose with the same weights; MaxPool:
// the first maximum of each window, found by comparing the window with the
// pool's output, scattered back with a one-hot ConvTranspose; LRN: its
// derivative written out with channel-window sums as 1×1 convolutions).
// An op without one is an error naming the node and the op.
//
// Guarantees: the forward part of the graph is the original's, node for
// node; the gradient agrees with central finite differences (the tests
// check every op and both reference networks).
package grad
