package onnx

// The operators circc knows, by name. Every other file names an operator
// through these constants, so that this file is the one place an operator
// is added (internal/arch checks it).
const (
	OpAdd                = "Add"
	OpAveragePool        = "AveragePool"
	OpBatchNormalization = "BatchNormalization"
	OpCast               = "Cast"
	OpClip               = "Clip"
	OpConcat             = "Concat"
	OpConstant           = "Constant"
	OpConv               = "Conv"
	OpDiv                = "Div"
	OpDropout            = "Dropout"
	OpEqual              = "Equal"
	OpErf                = "Erf"
	OpExp                = "Exp"
	OpExpand             = "Expand"
	OpFlatten            = "Flatten"
	OpGather             = "Gather"
	OpGemm               = "Gemm"
	OpGlobalAveragePool  = "GlobalAveragePool"
	OpGlobalMaxPool      = "GlobalMaxPool"
	OpGreater            = "Greater"
	OpHardSigmoid        = "HardSigmoid"
	OpHardSwish          = "HardSwish"
	OpIdentity           = "Identity"
	OpLayerNormalization = "LayerNormalization"
	OpLess               = "Less"
	OpLRN                = "LRN"
	OpMatMul             = "MatMul"
	OpMaxPool            = "MaxPool"
	OpMul                = "Mul"
	OpNeg                = "Neg"
	OpPad                = "Pad"
	OpPow                = "Pow"
	OpReduceMean         = "ReduceMean"
	OpReduceSum          = "ReduceSum"
	OpRelu               = "Relu"
	OpReshape            = "Reshape"
	OpSigmoid            = "Sigmoid"
	OpShape              = "Shape"
	OpSlice              = "Slice"
	OpSqueeze            = "Squeeze"
	OpSoftmax            = "Softmax"
	OpSplit              = "Split"
	OpSub                = "Sub"
	OpSum                = "Sum"
	OpTanh               = "Tanh"
	OpTranspose          = "Transpose"
	OpUnsqueeze          = "Unsqueeze"
)

// FieldRule is how an operator changes its output's receptive field.
type FieldRule uint8

const (
	FieldEnds          FieldRule = iota // it mixes positions: its output has no field
	FieldKeeps                          // it acts per position; several inputs give the union
	FieldWindow                         // a sliding window (WindowOf)
	FieldPicksChannels                  // Gather or Split on the channel axis keeps positions; any other axis ends the field
	FieldMovesChannels                  // a Transpose between NHWC and NCHW keeps positions; any other order ends the field
	FieldLeadingAxes                    // Unsqueeze or Squeeze of the batch or channel axis keeps positions; of any other, ends the field
	FieldShuffle                        // the Reshape that ends a channel shuffle keeps positions (ChannelShuffle); any other ends the field
	FieldChannelsLast                   // over the last axis of a channels-last map (a Linear layer, a layer norm) keeps positions; over any other, ends the field
)

// ProbeRole is what an operator's output is to the layer list of a network.
type ProbeRole uint8

const (
	ProbeUnknown ProbeRole = iota // not known: a graph holding it has no probe points
	ProbePasses                   // may stand between probe points
	ProbeMap                      // makes a map worth reading units from
)

// LinearRule is how expanded weights (package weights) pass an operator:
// as the Circuits articles do, nonlinearities (ReLU, clip, sigmoid, tanh,
// hard sigmoid, hard swish, erf; SiLU and GELU written out) as the
// identity, max pools as average pools, and a batch normalisation
// folded into the weights as its per-channel scale. A layer norm keeps
// its linear part: each position centred over the channels and scaled
// by γ; its division by the position's own spread depends on the input,
// like an activation's slope, and is left out.
type LinearRule uint8

const (
	LinearUnknown        LinearRule = iota // refused: its linear part is not known
	LinearIdentity                         // the map passes unchanged
	LinearSum                              // every non-constant input gets the map
	LinearConcat                           // each input gets its channels' part
	LinearConv                             // composed with the kernel
	LinearPool                             // spread over the window (a max pool as an average; a constant pad as a 1×1 window with pads)
	LinearScale                            // a batch normalisation: each channel times γ/√(σ²+ε), its shift dropped
	LinearSplit                            // each output gets its channels' part of the input
	LinearShuffle                          // the Reshape that ends a channel shuffle: a permutation of channels
	LinearLayout                           // a Transpose between NHWC and NCHW: the map passes (it is kept per cell and channel)
	LinearChannelMatrix                    // a MatMul of a channels-last map by a constant matrix: a 1×1 convolution
	LinearCentre                           // a layer norm over the channels: centred, times γ (its division by the spread left out)
	LinearConstantFactor                   // a product with a constant (a layer scale, a scalar): the map times it
)

// GradRule names an operator's vector-Jacobian product (package onnx/grad).
type GradRule uint8

const (
	GradNone GradRule = iota
	GradIdentity
	GradRelu
	GradConv
	GradMaxPool
	GradAveragePool
	GradGlobalAveragePool
	GradLRN
	GradBatchNorm
	GradConcat
	GradArithmetic // Add, Sub, Mul, Div, Sum, with broadcasting
	GradProduct    // Gemm, MatMul through the first factor
	GradReshape
	GradSlice
	GradSoftmax
	GradSigmoid
	GradTanh
	GradHardSigmoid
	GradHardSwish
	GradErf
	GradPad
	GradTranspose
	GradReduceMean
	GradGather
	GradClip
	GradSplit
	GradLayerNorm
)

// OpInfo is everything circc knows of one operator.
type OpInfo struct {
	shape  shapeRule
	shapes multiShapeRule // instead of shape, for an op of several outputs
	value  valueRule      // an integer output's value from its inputs' (shape arithmetic)
	Field  FieldRule
	Probe  ProbeRole
	Linear LinearRule
	Grad   GradRule
	// Channelwise ops map each channel on its own, elementwise: a unit's
	// convolution is found behind them (set), and a map that feeds only
	// one of them is read after it.
	Channelwise bool
	// ReadAfter: a map this op makes that feeds only a channelwise op (or
	// a batch normalisation) is probed after that op, not before.
	ReadAfter bool
}

// Ops is the table of the operators circc reads in a graph.
var Ops = map[string]OpInfo{
	OpRelu:               {shape: sameShape, Field: FieldKeeps, Probe: ProbeMap, Linear: LinearIdentity, Grad: GradRelu, Channelwise: true},
	OpClip:               {shape: sameShape, Field: FieldKeeps, Probe: ProbeMap, Linear: LinearIdentity, Grad: GradClip, Channelwise: true},
	OpSigmoid:            {shape: sameShape, Field: FieldKeeps, Probe: ProbeMap, Linear: LinearIdentity, Grad: GradSigmoid, Channelwise: true},
	OpTanh:               {shape: sameShape, Field: FieldKeeps, Probe: ProbeMap, Linear: LinearIdentity, Grad: GradTanh, Channelwise: true},
	OpHardSigmoid:        {shape: sameShape, Field: FieldKeeps, Probe: ProbeMap, Linear: LinearIdentity, Grad: GradHardSigmoid, Channelwise: true},
	OpHardSwish:          {shape: sameShape, Field: FieldKeeps, Probe: ProbeMap, Linear: LinearIdentity, Grad: GradHardSwish, Channelwise: true},
	OpErf:                {shape: sameShape, Field: FieldKeeps, Probe: ProbePasses, Linear: LinearIdentity, Grad: GradErf, Channelwise: true},
	OpDropout:            {shape: sameShape, Field: FieldKeeps, Probe: ProbePasses, Linear: LinearIdentity, Grad: GradIdentity},
	OpIdentity:           {shape: sameShape, value: passValue, Field: FieldKeeps, Probe: ProbePasses, Linear: LinearIdentity, Grad: GradIdentity},
	OpLRN:                {shape: sameShape, Field: FieldKeeps, Probe: ProbeMap, Linear: LinearIdentity, Grad: GradLRN},
	OpBatchNormalization: {shape: sameShape, Field: FieldKeeps, Probe: ProbeMap, Linear: LinearScale, Grad: GradBatchNorm, ReadAfter: true},
	OpSoftmax:            {shape: sameShape, Probe: ProbePasses, Grad: GradSoftmax},
	OpAdd:                {shape: broadcastShape, value: arithmeticValue, Field: FieldKeeps, Probe: ProbeMap, Linear: LinearSum, Grad: GradArithmetic, ReadAfter: true},
	OpSum:                {shape: broadcastShape, Field: FieldKeeps, Probe: ProbePasses, Linear: LinearSum, Grad: GradArithmetic},
	OpSub:                {shape: broadcastShape, value: arithmeticValue, Field: FieldKeeps, Probe: ProbePasses, Grad: GradArithmetic},
	OpMul:                {shape: broadcastShape, value: arithmeticValue, Field: FieldKeeps, Probe: ProbePasses, Linear: LinearConstantFactor, Grad: GradArithmetic},
	OpDiv:                {shape: broadcastShape, value: arithmeticValue, Field: FieldKeeps, Probe: ProbePasses, Grad: GradArithmetic},
	OpConv:               {shape: windowShape, Field: FieldWindow, Probe: ProbeMap, Linear: LinearConv, Grad: GradConv, ReadAfter: true},
	OpMaxPool:            {shape: windowShape, Field: FieldWindow, Probe: ProbeMap, Linear: LinearPool, Grad: GradMaxPool},
	OpAveragePool:        {shape: windowShape, Field: FieldWindow, Probe: ProbeMap, Linear: LinearPool, Grad: GradAveragePool},
	OpGlobalAveragePool:  {shape: globalPoolShape, Probe: ProbePasses, Grad: GradGlobalAveragePool},
	OpGlobalMaxPool:      {shape: globalPoolShape},
	OpConcat:             {shape: concatShape, value: concatValue, Field: FieldKeeps, Probe: ProbeMap, Linear: LinearConcat, Grad: GradConcat},
	OpFlatten:            {shape: flattenShape, Probe: ProbePasses, Grad: GradReshape},
	OpReshape:            {shape: reshapeShape, Field: FieldShuffle, Probe: ProbePasses, Linear: LinearShuffle, Grad: GradReshape},
	OpReduceMean:         {shape: reduceShape, Probe: ProbePasses, Grad: GradReduceMean},
	OpSqueeze:            {shape: squeezeShape, value: passValue, Field: FieldLeadingAxes, Probe: ProbePasses, Grad: GradReshape},
	OpUnsqueeze:          {shape: unsqueezeShape, value: passValue, Field: FieldLeadingAxes, Probe: ProbePasses, Grad: GradReshape},
	OpGemm:               {shape: gemmShape, Probe: ProbePasses, Grad: GradProduct},
	OpMatMul:             {shape: matMulShape, Field: FieldChannelsLast, Probe: ProbePasses, Linear: LinearChannelMatrix, Grad: GradProduct},
	OpGather:             {shape: gatherShape, value: gatherValue, Field: FieldPicksChannels, Probe: ProbePasses, Grad: GradGather},
	OpConstant:           {shape: constantShape, value: constantValue, Probe: ProbePasses},
	OpShape:              {shape: shapeOfShape, value: shapeValue, Probe: ProbePasses},
	OpCast:               {shape: sameShape, value: passValue, Probe: ProbePasses},
	OpSplit:              {shapes: splitShapes, Field: FieldPicksChannels, Probe: ProbePasses, Linear: LinearSplit, Grad: GradSplit},
	OpLayerNormalization: {shape: layerNormShape, Field: FieldChannelsLast, Probe: ProbePasses, Linear: LinearCentre, Grad: GradLayerNorm},
	OpSlice:              {shape: sliceShape, value: sliceValue, Grad: GradSlice},
	OpTranspose:          {shape: transposeShape, Field: FieldMovesChannels, Probe: ProbePasses, Linear: LinearLayout, Grad: GradTranspose},
	OpPad:                {shape: padShape, Field: FieldWindow, Probe: ProbePasses, Linear: LinearPool, Grad: GradPad},
}

// Op returns what circc knows of an operator; ok is false for one it
// does not know.
func Op(name string) (OpInfo, bool) {
	info, ok := Ops[name]
	return info, ok
}
