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
	Header      *Header `@@`
	Decls       []*Decl `@@*`

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
	Kind        string `@("circuit" | "library")`
	Name        *Ident `@@`
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
	Name        string `@Ident`
}

// Decl is one top-level declaration. Exactly one field is set.
type Decl struct {
	Pos, EndPos Pos
	Import      *Import  `  @@`
	Input       *Input   `| @@`
	Layer       *Layer   `| @@`
	Let         *Let     `| @@`
	Fn          *Fn      `| @@`
	Family      *Family  `| @@`
	Unit        *Unit    `| @@`
	Match       *Match   `| @@`
	Expect      *Expect  `| @@`
	Replace     *Replace `| @@`
	Set         *Set     `| @@`
	Ablate      *Ablate  `| @@`
}

// Import brings a standard-library module (by name) or another .circ file
// (by relative path) into scope under its name or an alias.
type Import struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Path        *String `"import" ( @@`
	Module      *Ident  `         | @@ )`
	Alias       *Ident  `( "as" @@ )?`
}

// String is a double-quoted string literal; Value is unquoted.
type String struct {
	Pos, EndPos Pos
	Raw         string `@String`
}

// Input declares the network input: its channel parameter and options
// (size, range).
type Input struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Name        *Ident    `"input" @@`
	Channel     *Param    `"(" @@ ")"`
	Options     []*Option `@@*`
}

// Option is a "name value" pair of an input, a layer operation or a table.
type Option struct {
	Pos, EndPos Pos
	Name        *Ident `@@`
	Value       *Expr  `@@`
}

// Layer declares one layer of the network: a chain of operations.
type Layer struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Name        *Ident `"layer" @@ "="`
	Ops         []*Op  `@@ ( "," @@ )*`
}

// Op is one operation of a layer: "conv 5x5 stride 1 pad same", "relu".
type Op struct {
	Pos, EndPos Pos
	Name        *Ident    `@@`
	Size        *Size     `@@?`
	Options     []*Option `@@*`
}

// Size is a "KxK" literal (kernel and image sizes).
type Size struct {
	Pos, EndPos Pos
	Raw         string `@Size`
}

// Let binds a name to the value of an expression.
type Let struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Name        *Ident `"let" @@ "="`
	Value       *Expr  `@@`
}

// Fn declares a function: parameters (optionally typed) and a body expression.
type Fn struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Name        *Ident     `"fn" @@`
	Params      []*FnParam `"(" ( @@ ( "," @@ )* )? ")" "="`
	Body        *Expr      `@@`
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
	Name        *Ident    `@@`
	Type        *TypeName `( ":" @@ )?`
}

// TypeName is a parameter's type: a name, or one of the keywords kernel
// and table.
type TypeName struct {
	Pos, EndPos Pos
	Name        string `@(Ident | "kernel" | "table")`
}

// Param is a family parameter ranging over a list: "a in 0deg ..< 360deg step 15deg".
type Param struct {
	Pos, EndPos Pos
	Name        *Ident `@@ "in"`
	Domain      *Expr  `@@`
}

// Family declares a set of units on a layer indexed by parameters, either
// with a body of connections or derived from one unit by motifs.
type Family struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Name        *Ident   `"family" @@`
	Params      []*Param `"(" @@ ( "," @@ )* ")"`
	Layer       *Ref     `( "at" @@`
	Body        *Body    `  @@`
	Base        *Ref     `| "=" @@`
	Motifs      []*Motif `  @@+ )`
}

// Unit declares a single unit on a layer.
type Unit struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Name        *Ident `"unit" @@`
	Layer       *Ref   `"at" @@`
	Body        *Body  `@@`
}

// Motif is one symmetry applied to a base unit: "rotate a", "reflect f", "hue h".
type Motif struct {
	Pos, EndPos Pos
	Kind        *Ident `@@`
	Arg         *Unary `@@`
}

// Body is the brace-enclosed list of statements of a unit or family.
type Body struct {
	Pos, EndPos Pos
	Stmts       []*Stmt `"{" @@* "}"`
}

// Stmt is one statement of a body. Exactly one field is set.
type Stmt struct {
	Pos, EndPos Pos
	Let         *Let  `  @@`
	From        *From `| @@`
	Bias        *Bias `| @@`
}

// From connects a source (input channels, a family or unit of an earlier
// layer, or natural units of a reference model) into the enclosing unit.
type From struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Source      *Source `"from" @@`
	Where       *Expr   `( "where" @@ )?`
	Weight      *Expr   `"weight" @@`
}

// Source names what a connection reads: a dotted path, binders for the
// source's parameters, and for natural units a channel selector.
type Source struct {
	Pos, EndPos Pos
	Path        *Ref      `@@`
	Binders     []*Ident  `( "(" @@ ( "," @@ )* ")" )?`
	Selector    *Selector `@@?`
}

// Bias sets the unit's bias.
type Bias struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Value       *Expr `"bias" @@`
}

// Ref is a dotted name: "mixed3a", "mixed3a.curve", "inceptionv1.mixed3b",
// or a model tensor given as a string: inceptionv1."inception_3b/output_1".
type Ref struct {
	Pos, EndPos Pos
	Parts       []*RefPart `@@ ( "." @@ )*`
}

// RefPart is one element of a Ref: an identifier or a quoted tensor name.
type RefPart struct {
	Pos, EndPos Pos
	Ident       *Ident  `  @@`
	Str         *String `| @@`
	Star        bool    `| @"*"` // every layer: match MODEL.* searches them
}

// Selector chooses channels of a natural layer: "[379, 406]", "[320 ..< 416]",
// "[c in 0 ..< 64]" (binding c for the weight expression).
type Selector struct {
	Pos, EndPos Pos
	Binder      *Ident  `"[" ( @@ "in" )?`
	Items       []*Expr `@@ ( "," @@ )* "]"`
}

// NatRef names natural units of a reference model: a path and an optional
// selector (no selector in a match means: search the whole layer).
type NatRef struct {
	Pos, EndPos Pos
	Path        *Ref      `@@`
	Selector    *Selector `@@?`
}

// Match pairs a family with natural units of a reference model.
type Match struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Family      *Ref    `"match" @@`
	Natural     *NatRef `"to" @@`
	Using       *Ident  `( "using" @@ )?`
}

// Expect states claims about a matched family that "circc verify" checks.
type Expect struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Model       *Ident   `"expect" ( @@ (?= Ident) )?` // the network the claims are about; nil: every one
	Subject     *Ref     `@@ ":"`
	Claims      []*Claim `@@ ( "," @@ )*`
}

// Claim is "[aggregate] metric OP value", e.g. "mean pearson_r >= 0.6".
type Claim struct {
	Pos, EndPos Pos
	Agg         *Ident `( @@ (?= Ident) )?`
	Metric      *Ident `@@`
	Op          string `@("<=" | ">=" | "<" | ">" | "==" | "!=")`
	Value       *Expr  `@@`
}

// Replace substitutes natural units' activations with a hand-made family.
type Replace struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Natural     *NatRef `"replace" @@`
	With        *Ref    `"with" @@`
}

// Set writes a hand-made unit's kernels into natural channels of a reference
// convolution.
type Set struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Natural     *NatRef `"set" @@`
	With        *Ref    `"with" @@`
}

// Ablate zeroes natural units of a reference model.
type Ablate struct {
	Pos, EndPos Pos
	Doc         []*Comment
	Natural     *NatRef `"ablate" @@`
}
