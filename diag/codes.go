package diag

// Code names a kind of problem. Codes are stable across releases: tools
// and tests key on them, and spec.md (section 10) documents each.
type Code string

// The codes, in the order spec.md lists them.
const (
	CodeSyntax      Code = "syntax"       // the text does not follow the grammar
	CodeNesting     Code = "nesting"      // constructs nested past the parser's limit
	CodeNumber      Code = "number"       // a number literal too large for a float64
	CodeUndefined   Code = "undefined"    // a name, member, layer, option or unit that does not exist
	CodeDuplicate   Code = "duplicate"    // a name given twice where names must differ
	CodeArity       Code = "arity"        // wrong number or naming of arguments or binders
	CodeType        Code = "type"         // a value of the wrong kind
	CodeUnit        Code = "unit"         // a dimension mismatch
	CodeKernelSize  Code = "kernel-size"  // a kernel that is not square and odd, or does not fit its layer
	CodeRange       Code = "range"        // an empty range, a bad step, an index out of range
	CodeArith       Code = "arith"        // division by zero, a value that is not finite, past float32
	CodeTable       Code = "table"        // table keys that do not increase, conflicting options
	CodeCycle       Code = "cycle"        // a let defined in terms of itself
	CodeImport      Code = "import"       // an import that cannot be resolved
	CodeImportPath  Code = "import-path"  // an import path that leaves the circuit's directory
	CodeImportCycle Code = "import-cycle" // imports that loop
	CodeLibrary     Code = "library"      // a library declaring more than let, fn and import
	CodeHeader      Code = "header"       // a standard module that is not a library
	CodeInput       Code = "input"        // a missing or malformed input
	CodeLayer       Code = "layer"        // a malformed layer, or units on a non-convolution layer
	CodeEmptyLayer  Code = "empty-layer"  // a convolution layer without units
	CodeConnection  Code = "connection"   // a connection that goes backwards, skips layers or reads the wrong source
	CodeSelector    Code = "selector"     // a missing channel selection, or a channel out of range
	CodeMatch       Code = "match"        // a match whose channel count or layer does not fit the family
	CodeSet         Code = "set"          // a set whose channel count or layer does not fit the family
	CodeMotif       Code = "motif"        // a motif whose base is not one unit, or that leaves its family
	CodeLimit       Code = "limit"        // a size or count past a documented limit
	CodeDefine      Code = "define"       // a -D override that names no let or changes its kind
	CodeBuild       Code = "build"        // a library given to circc build
	CodeInject      Code = "inject"       // a set, replace or ablate that cannot be applied to the model
	CodeVerify      Code = "verify"       // a match or claim that verify cannot evaluate
	CodeInternal    Code = "internal"     // a bug in circc
)

// Codes lists every code, for the documentation test.
var Codes = []Code{CodeSyntax, CodeNesting, CodeNumber, CodeUndefined, CodeDuplicate, CodeArity, CodeType, CodeUnit, CodeKernelSize, CodeRange, CodeArith, CodeTable,
	CodeCycle, CodeImport, CodeImportPath, CodeImportCycle, CodeLibrary, CodeHeader, CodeInput, CodeLayer, CodeEmptyLayer, CodeConnection, CodeSelector, CodeMatch, CodeSet,
	CodeMotif, CodeLimit, CodeDefine, CodeBuild, CodeInject, CodeVerify, CodeInternal}
