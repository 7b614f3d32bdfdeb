package ast

// The expression grammar, lowest precedence first:
//
//	Expr    = "if" Expr "then" Expr "else" Expr | Or
//	Or      = And { "or" And }
//	And     = Cmp { "and" Cmp }
//	Cmp     = Range [ ("==" | "!=" | "<=" | ">=" | "<" | ">") Range ]
//	Range   = Add [ (".." | "..<") Add [ "step" Add ] ]
//	Add     = Mul { ("+" | "-") Mul }
//	Mul     = Unary { ("*" | "/" | "%") Unary }
//	Unary   = ("-" | "+" | "not") Unary | Power
//	Power   = Postfix [ "^" Unary ]
//	Postfix = Primary { "(" Args ")" | "[" Expr "]" | "." Ident }

// Expr is a full expression: a conditional or an "or" chain.
type Expr struct {
	Pos, EndPos Pos
	If          *IfExpr `  @@`
	Or          *Or     `| @@`
}

// IfExpr is "if C then A else B".
type IfExpr struct {
	Pos, EndPos Pos
	Cond        *Expr `"if" @@`
	Then        *Expr `"then" @@`
	Else        *Expr `"else" @@`
}

// Or is a chain of "or".
type Or struct {
	Pos, EndPos Pos
	Left        *And    `@@`
	Rest        []*OrOp `@@*`
}

// OrOp is one "or" operand.
type OrOp struct {
	Pos, EndPos Pos
	Op          string `@"or"`
	Right       *And   `@@`
}

// And is a chain of "and".
type And struct {
	Pos, EndPos Pos
	Left        *Cmp     `@@`
	Rest        []*AndOp `@@*`
}

// AndOp is one "and" operand.
type AndOp struct {
	Pos, EndPos Pos
	Op          string `@"and"`
	Right       *Cmp   `@@`
}

// Cmp is an optional single comparison.
type Cmp struct {
	Pos, EndPos Pos
	Left        *Range `@@`
	Op          string `( @("==" | "!=" | "<=" | ">=" | "<" | ">")`
	Right       *Range `  @@ )?`
}

// Range is an optional range: "a .. b" includes b, "a ..< b" excludes it;
// "step s" sets the stride (default 1 in the unit of a).
type Range struct {
	Pos, EndPos Pos
	From        *Add   `@@`
	Op          string `( @("..<" | "..")`
	To          *Add   `  @@`
	Step        *Add   `  ( "step" @@ )? )?`
}

// Add is a chain of "+" and "-".
type Add struct {
	Pos, EndPos Pos
	Left        *Mul     `@@`
	Rest        []*AddOp `@@*`
}

// AddOp is one additive operand.
type AddOp struct {
	Pos, EndPos Pos
	Op          string `@("+" | "-")`
	Right       *Mul   `@@`
}

// Mul is a chain of "*", "/" and "%".
type Mul struct {
	Pos, EndPos Pos
	Left        *Unary   `@@`
	Rest        []*MulOp `@@*`
}

// MulOp is one multiplicative operand.
type MulOp struct {
	Pos, EndPos Pos
	Op          string `@("*" | "/" | "%")`
	Right       *Unary `@@`
}

// Unary is a prefix operator applied to an operand, or a power.
type Unary struct {
	Pos, EndPos Pos
	Op          string `(  @("-" | "+" | "not")`
	Operand     *Unary `   @@`
	Power       *Power `| @@ )`
}

// Power is "base ^ exponent" (right associative) or just the base.
type Power struct {
	Pos, EndPos Pos
	Base        *Postfix `@@`
	Exp         *Unary   `( "^" @@ )?`
}

// Postfix is a primary followed by calls, indexing and field selections.
type Postfix struct {
	Pos, EndPos Pos
	Primary     *Primary  `@@`
	Suffixes    []*Suffix `@@*`
}

// Suffix is one postfix operation. Exactly one field is set.
type Suffix struct {
	Pos, EndPos Pos
	Call        *Call  `  @@`
	Index       *Expr  `| "[" @@ "]"`
	Field       *Ident `| "." @@`
}

// Call is an argument list.
type Call struct {
	Pos, EndPos Pos
	Args        []*Arg `"(" ( @@ ( "," @@ )* ","? )? ")"`
}

// Arg is a call argument, optionally named ("shift: s").
type Arg struct {
	Pos, EndPos Pos
	Name        *Ident `( @@ ":" )?`
	Value       *Expr  `@@`
}

// Primary is an operand. Exactly one field is set.
type Primary struct {
	Pos, EndPos Pos
	Number      *Number `  @@`
	Size        *Size   `| @@`
	String      *String `| @@`
	Bool        string  `| @("true" | "false")`
	Kernel      *Kernel `| @@`
	Table       *Table  `| @@`
	List        *List   `| @@`
	Block       *Block  `| @@`
	Paren       *Expr   `| "(" @@ ")"`
	Ident       *Ident  `| @@`
}

// Number is a numeric literal with an optional unit suffix: 10deg, 0.5rad, 3px.
type Number struct {
	Pos, EndPos Pos
	Raw         string `@Number`
}

// List is "[a, b, c]" or the comprehension "[e for x in xs if cond]" (a
// comprehension has exactly one item; the checker enforces it).
type List struct {
	Pos, EndPos Pos
	Items       []*Expr  `"[" ( @@ ( "," @@ )* ","? )?`
	For         *ListFor `@@? "]"`
}

// ListFor is the "for x in xs [if cond]" part of a comprehension.
type ListFor struct {
	Pos, EndPos Pos
	Var         *Ident `"for" @@ "in"`
	Domain      *Expr  `@@`
	Cond        *Expr  `( "if" @@ )?`
}

// Block is "{ let a = … let b = … result }".
type Block struct {
	Pos, EndPos Pos
	Lets        []*Let `"{" @@*`
	Result      *Expr  `@@ "}"`
}

// Kernel is a literal matrix "kernel [[…], […]]" or a constructor
// "kernel SIZE (x, y, r, t) => expr" evaluated over the SIZE×SIZE grid.
type Kernel struct {
	Pos, EndPos Pos
	Rows        []*Row   `"kernel" ( "[" @@ ( "," @@ )* ","? "]"`
	Size        *KSize   `         | @@`
	Coords      []*Ident `           "(" @@ ( "," @@ )* ")" "=>"`
	Body        *Expr    `           @@ )`
}

// Row is one row of a literal kernel.
type Row struct {
	Pos, EndPos Pos
	Cells       []*Expr `"[" @@ ( "," @@ )* ","? "]"`
}

// KSize is a kernel constructor's size: a "KxK" literal, a number, a name or
// a parenthesised expression.
type KSize struct {
	Pos, EndPos Pos
	Size        *Size   `  @@`
	Number      *Number `| @@`
	Ident       *Ident  `| @@`
	Paren       *Expr   `| "(" @@ ")"`
}

// Table is a piecewise-linear table: options, then "key: value" entries.
type Table struct {
	Pos, EndPos Pos
	Options     []*TableOption `"table" @@*`
	Entries     []*Entry       `"{" ( @@ ( "," @@ )* ","? )? "}"`
}

// TableOption is "mirror 180deg", "periodic 360deg", "gap 10deg", "fill -0.01".
type TableOption struct {
	Pos, EndPos Pos
	Name        *Ident `@@`
	Value       *Unary `@@`
}

// Entry is one "key: value" pair of a table.
type Entry struct {
	Pos, EndPos Pos
	Key         *Expr `@@ ":"`
	Value       *Expr `@@`
}
