package ast

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// Pos is a source position: file name, byte offset, 1-based line and column.
type Pos = lexer.Position

// Node is implemented by every syntax tree node.
type Node interface{ Span() (start, end Pos) }

// File is one .circ source file: a header, then declarations in source order.
type File struct {
	Pos, EndPos Pos
	Header      *Header `parser:"@@"`
	Decls       []*Decl `parser:"@@*"`

	// Comments holds every comment of the file in source order; the parser
	// fills it after parsing (comments are not part of the grammar).
	Comments []*Comment
	// Name is the file name the parser was given.
	Name string
}

// Header names the file: "circuit NAME" for a network, "library NAME" for a
// collection of functions and constants that other files import.
type Header struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Kind        string `parser:"@(\"circuit\" | \"library\")"`
	Name        *Ident `parser:"@@"`
}

// Comment is a line comment; Doc is true for "///" doc comments.
type Comment struct {
	Pos  Pos
	Text string // including the leading slashes
	Doc  bool
}

// Ident is a name with its position.
type Ident struct {
	Pos, EndPos Pos
	Name        string `parser:"@Ident"`
}

// Decl is one top-level declaration. Exactly one field is set.
type Decl struct {
	Pos, EndPos Pos
	Import      *Import  `parser:"  @@"`
	Input       *Input   `parser:"| @@"`
	Layer       *Layer   `parser:"| @@"`
	Let         *Let     `parser:"| @@"`
	Fn          *Fn      `parser:"| @@"`
	Family      *Family  `parser:"| @@"`
	Unit        *Unit    `parser:"| @@"`
	Match       *Match   `parser:"| @@"`
	Expect      *Expect  `parser:"| @@"`
	Replace     *Replace `parser:"| @@"`
	Set         *Set     `parser:"| @@"`
	Ablate      *Ablate  `parser:"| @@"`
}

// Import brings a standard-library module (by name) or another .circ file
// (by relative path) into scope under its name or an alias.
type Import struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Path        *String `parser:"\"import\" ( @@"`
	Module      *Ident  `parser:"         | @@ )"`
	Alias       *Ident  `parser:"( \"as\" @@ )?"`
}

// String is a double-quoted string literal; Value is unquoted.
type String struct {
	Pos, EndPos Pos
	Raw         string `parser:"@String"`
}

// Input declares the network input: its channel parameter and options
// (size, range).
type Input struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Name        *Ident    `parser:"\"input\" @@"`
	Channel     *Param    `parser:"\"(\" @@ \")\""`
	Options     []*Option `parser:"@@*"`
}

// Option is a "name value" pair of an input, a layer operation or a table.
type Option struct {
	Pos, EndPos Pos
	Name        *Ident `parser:"@@"`
	Value       *Expr  `parser:"@@"`
}

// Layer declares one layer of the network: a chain of operations.
type Layer struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Name        *Ident `parser:"\"layer\" @@ \"=\""`
	Ops         []*Op  `parser:"@@ ( \",\" @@ )*"`
}

// Op is one operation of a layer: "conv 5x5 stride 1 pad same", "relu".
type Op struct {
	Pos, EndPos Pos
	Name        *Ident    `parser:"@@"`
	Size        *Size     `parser:"@@?"`
	Options     []*Option `parser:"@@*"`
}

// Size is a "KxK" literal (kernel and image sizes).
type Size struct {
	Pos, EndPos Pos
	Raw         string `parser:"@Size"`
}

// Let binds a name to the value of an expression.
type Let struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Name        *Ident `parser:"\"let\" @@ \"=\""`
	Value       *Expr  `parser:"@@"`
}

// Fn declares a function: parameters (optionally typed) and a body expression.
type Fn struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Name        *Ident     `parser:"\"fn\" @@"`
	Params      []*FnParam `parser:"\"(\" ( @@ ( \",\" @@ )* )? \")\" \"=\""`
	Body        *Expr      `parser:"@@"`
}

// Signature writes the function as its declaration names it:
// "edge(size: number, a: angle)".
func (f *Fn) Signature() string {
	var b strings.Builder
	b.WriteString(f.Name.Name + "(")
	for i, p := range f.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Name.Name)
		if p.Type != nil {
			b.WriteString(": " + p.Type.Name)
		}
	}
	b.WriteString(")")
	return b.String()
}

// FnParam is a function parameter with an optional type ("a: angle").
type FnParam struct {
	Pos, EndPos Pos
	Name        *Ident    `parser:"@@"`
	Type        *TypeName `parser:"( \":\" @@ )?"`
}

// TypeName is a parameter's type: a name, or one of the keywords kernel
// and table.
type TypeName struct {
	Pos, EndPos Pos
	Name        string `parser:"@(Ident | \"kernel\" | \"table\")"`
}

// Param is a family parameter ranging over a list: "a in 0deg ..< 360deg step 15deg".
type Param struct {
	Pos, EndPos Pos
	Name        *Ident `parser:"@@ \"in\""`
	Domain      *Expr  `parser:"@@"`
}

// Family declares a set of units on a layer indexed by parameters, either
// with a body of connections or derived from one unit by motifs.
type Family struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Name        *Ident   `parser:"\"family\" @@"`
	Params      []*Param `parser:"\"(\" @@ ( \",\" @@ )* \")\""`
	Layer       *Ref     `parser:"( \"at\" @@"`
	Body        *Body    `parser:"  @@"`
	Base        *Ref     `parser:"| \"=\" @@"`
	Motifs      []*Motif `parser:"  @@+ )"`
}

// Unit declares a single unit on a layer.
type Unit struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Name        *Ident `parser:"\"unit\" @@"`
	Layer       *Ref   `parser:"\"at\" @@"`
	Body        *Body  `parser:"@@"`
}

// Motif is one symmetry applied to a base unit: "rotate a", "reflect f", "hue h".
type Motif struct {
	Pos, EndPos Pos
	Kind        *Ident `parser:"@@"`
	Arg         *Unary `parser:"@@"`
}

// Body is the brace-enclosed list of statements of a unit or family.
type Body struct {
	Pos, EndPos Pos
	Stmts       []*Stmt `parser:"\"{\" @@* \"}\""`
}

// Stmt is one statement of a body. Exactly one field is set.
type Stmt struct {
	Pos, EndPos Pos
	Let         *Let  `parser:"  @@"`
	From        *From `parser:"| @@"`
	Bias        *Bias `parser:"| @@"`
}

// From connects a source (input channels, a family or unit of an earlier
// layer, or natural units of a reference model) into the enclosing unit.
type From struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Source      *Source `parser:"\"from\" @@"`
	Where       *Expr   `parser:"( \"where\" @@ )?"`
	Weight      *Expr   `parser:"\"weight\" @@"`
}

// Source names what a connection reads: a dotted path, binders for the
// source's parameters, and for natural units a channel selector.
type Source struct {
	Pos, EndPos Pos
	Path        *Ref      `parser:"@@"`
	Binders     []*Ident  `parser:"( \"(\" @@ ( \",\" @@ )* \")\" )?"`
	Selector    *Selector `parser:"@@?"`
}

// Bias sets the unit's bias.
type Bias struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Value       *Expr `parser:"\"bias\" @@"`
}

// Ref is a dotted name: "mixed3a", "mixed3a.curve", "inceptionv1.mixed3b",
// or a model tensor given as a string: inceptionv1."inception_3b/output_1".
type Ref struct {
	Pos, EndPos Pos
	Parts       []*RefPart `parser:"@@ ( \".\" @@ )*"`
}

// RefPart is one element of a Ref: an identifier or a quoted tensor name.
type RefPart struct {
	Pos, EndPos Pos
	Ident       *Ident  `parser:"  @@"`
	Str         *String `parser:"| @@"`
	Star        bool    `parser:"| @\"*\""` // every layer: match MODEL.* searches them
}

// Selector chooses channels of a natural layer: "[379, 406]", "[320 ..< 416]",
// "[c in 0 ..< 64]" (binding c for the weight expression).
type Selector struct {
	Pos, EndPos Pos
	Binder      *Ident  `parser:"\"[\" ( @@ \"in\" )?"`
	Items       []*Expr `parser:"@@ ( \",\" @@ )* \"]\""`
}

// NatRef names natural units of a reference model: a path and an optional
// selector (no selector in a match means: search the whole layer).
type NatRef struct {
	Pos, EndPos Pos
	Path        *Ref      `parser:"@@"`
	Selector    *Selector `parser:"@@?"`
}

// Match pairs a family with natural units of a reference model.
type Match struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Family      *Ref    `parser:"\"match\" @@"`
	Natural     *NatRef `parser:"\"to\" @@"`
	Using       *Ident  `parser:"( \"using\" @@ )?"`
}

// Expect states claims about a matched family that "circc verify" checks.
type Expect struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Model       *Ident   `parser:"\"expect\" ( @@ (?= Ident) )?"` // the network the claims are about; nil: every one
	Subject     *Ref     `parser:"@@ \":\""`
	Claims      []*Claim `parser:"@@ ( \",\" @@ )*"`
}

// Claim is "[aggregate] metric OP value", e.g. "mean pearson_r >= 0.6".
type Claim struct {
	Pos, EndPos Pos
	Agg         *Ident `parser:"( @@ (?= Ident) )?"`
	Metric      *Ident `parser:"@@"`
	Op          string `parser:"@(\"<=\" | \">=\" | \"<\" | \">\" | \"==\" | \"!=\")"`
	Value       *Expr  `parser:"@@"`
}

// Replace substitutes natural units' activations with a hand-made family.
type Replace struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Natural     *NatRef `parser:"\"replace\" @@"`
	With        *Ref    `parser:"\"with\" @@"`
}

// Set writes a hand-made unit's kernels into natural channels of a reference
// convolution.
type Set struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Natural     *NatRef `parser:"\"set\" @@"`
	With        *Ref    `parser:"\"with\" @@"`
}

// Ablate zeroes natural units of a reference model.
type Ablate struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Natural     *NatRef `parser:"\"ablate\" @@"`
}
