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
	OpSlice              = "Slice"
	OpSqueeze            = "Squeeze"
	OpSoftmax            = "Softmax"
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
	FieldPicksChannels                  // Gather on the channel axis keeps positions; any other axis ends the field
	FieldMovesChannels                  // a Transpose between NHWC and NCHW keeps positions; any other order ends the field
	FieldLeadingAxes                    // Unsqueeze or Squeeze of the batch or channel axis keeps positions; of any other, ends the field
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
// hard sigmoid, hard swish, erf) as the identity, max pools as average pools, and a batch normalisation
// folded into the weights as its per-channel scale.
type LinearRule uint8

const (
	LinearUnknown  LinearRule = iota // refused: its linear part is not known
	LinearIdentity                   // the map passes unchanged
	LinearSum                        // every non-constant input gets the map
	LinearConcat                     // each input gets its channels' part
	LinearConv                       // composed with the kernel
	LinearPool                       // spread over the window (a max pool as an average; a constant pad as a 1×1 window with pads)
	LinearScale                      // a batch normalisation: each channel times γ/√(σ²+ε), its shift dropped
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
)

// OpInfo is everything circc knows of one operator.
type OpInfo struct {
	shape  shapeRule
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
	OpIdentity:           {shape: sameShape, Field: FieldKeeps, Probe: ProbePasses, Linear: LinearIdentity, Grad: GradIdentity},
	OpLRN:                {shape: sameShape, Field: FieldKeeps, Probe: ProbeMap, Linear: LinearIdentity, Grad: GradLRN},
	OpBatchNormalization: {shape: sameShape, Field: FieldKeeps, Probe: ProbeMap, Linear: LinearScale, Grad: GradBatchNorm, ReadAfter: true},
	OpSoftmax:            {shape: sameShape, Probe: ProbePasses, Grad: GradSoftmax},
	OpAdd:                {shape: broadcastShape, Field: FieldKeeps, Probe: ProbeMap, Linear: LinearSum, Grad: GradArithmetic, ReadAfter: true},
	OpSum:                {shape: broadcastShape, Field: FieldKeeps, Probe: ProbePasses, Linear: LinearSum, Grad: GradArithmetic},
	OpSub:                {shape: broadcastShape, Field: FieldKeeps, Probe: ProbePasses, Grad: GradArithmetic},
	OpMul:                {shape: broadcastShape, Field: FieldKeeps, Probe: ProbePasses, Grad: GradArithmetic},
	OpDiv:                {shape: broadcastShape, Field: FieldKeeps, Probe: ProbePasses, Grad: GradArithmetic},
	OpConv:               {shape: windowShape, Field: FieldWindow, Probe: ProbeMap, Linear: LinearConv, Grad: GradConv, ReadAfter: true},
	OpMaxPool:            {shape: windowShape, Field: FieldWindow, Probe: ProbeMap, Linear: LinearPool, Grad: GradMaxPool},
	OpAveragePool:        {shape: windowShape, Field: FieldWindow, Probe: ProbeMap, Linear: LinearPool, Grad: GradAveragePool},
	OpGlobalAveragePool:  {shape: globalPoolShape, Probe: ProbePasses, Grad: GradGlobalAveragePool},
	OpGlobalMaxPool:      {shape: globalPoolShape},
	OpConcat:             {shape: concatShape, Field: FieldKeeps, Probe: ProbeMap, Linear: LinearConcat, Grad: GradConcat},
	OpFlatten:            {shape: flattenShape, Probe: ProbePasses, Grad: GradReshape},
	OpReshape:            {shape: reshapeShape, Probe: ProbePasses, Grad: GradReshape},
	OpReduceMean:         {shape: reduceShape, Probe: ProbePasses, Grad: GradReduceMean},
	OpSqueeze:            {shape: squeezeShape, Field: FieldLeadingAxes, Probe: ProbePasses, Grad: GradReshape},
	OpUnsqueeze:          {shape: unsqueezeShape, Field: FieldLeadingAxes, Probe: ProbePasses, Grad: GradReshape},
	OpGemm:               {shape: gemmShape, Probe: ProbePasses, Grad: GradProduct},
	OpMatMul:             {shape: matMulShape, Probe: ProbePasses, Grad: GradProduct},
	OpGather:             {shape: gatherShape, Field: FieldPicksChannels, Probe: ProbePasses, Grad: GradGather},
	OpConstant:           {shape: constantShape, Probe: ProbePasses},
	OpSlice:              {shape: sliceShape, Grad: GradSlice},
	OpTranspose:          {shape: transposeShape, Field: FieldMovesChannels, Probe: ProbePasses, Grad: GradTranspose},
	OpPad:                {shape: padShape, Field: FieldWindow, Probe: ProbePasses, Linear: LinearPool, Grad: GradPad},
}

// Op returns what circc knows of an operator; ok is false for one it
// does not know.
func Op(name string) (OpInfo, bool) {
	info, ok := Ops[name]
	return info, ok
}
