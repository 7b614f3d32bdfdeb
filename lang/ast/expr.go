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
	If          *IfExpr `parser:"  @@"`
	Or          *Or     `parser:"| @@"`
}

// IfExpr is "if C then A else B".
type IfExpr struct {
	Pos, EndPos Pos
	Cond        *Expr `parser:"\"if\" @@"`
	Then        *Expr `parser:"\"then\" @@"`
	Else        *Expr `parser:"\"else\" @@"`
}

// Or is a chain of "or".
type Or struct {
	Pos, EndPos Pos
	Left        *And    `parser:"@@"`
	Rest        []*OrOp `parser:"@@*"`
}

// OrOp is one "or" operand.
type OrOp struct {
	Pos, EndPos Pos
	Op          string `parser:"@\"or\""`
	Right       *And   `parser:"@@"`
}

// And is a chain of "and".
type And struct {
	Pos, EndPos Pos
	Left        *Cmp     `parser:"@@"`
	Rest        []*AndOp `parser:"@@*"`
}

// AndOp is one "and" operand.
type AndOp struct {
	Pos, EndPos Pos
	Op          string `parser:"@\"and\""`
	Right       *Cmp   `parser:"@@"`
}

// Cmp is an optional single comparison.
type Cmp struct {
	Pos, EndPos Pos
	Left        *Range `parser:"@@"`
	Op          string `parser:"( @(\"==\" | \"!=\" | \"<=\" | \">=\" | \"<\" | \">\")"`
	Right       *Range `parser:"  @@ )?"`
}

// Range is an optional range: "a .. b" includes b, "a ..< b" excludes it;
// "step s" sets the stride (default 1 in the unit of a).
type Range struct {
	Pos, EndPos Pos
	From        *Add   `parser:"@@"`
	Op          string `parser:"( @(\"..<\" | \"..\")"`
	To          *Add   `parser:"  @@"`
	Step        *Add   `parser:"  ( \"step\" @@ )? )?"`
}

// Add is a chain of "+" and "-".
type Add struct {
	Pos, EndPos Pos
	Left        *Mul     `parser:"@@"`
	Rest        []*AddOp `parser:"@@*"`
}

// AddOp is one additive operand.
type AddOp struct {
	Pos, EndPos Pos
	Op          string `parser:"@(\"+\" | \"-\")"`
	Right       *Mul   `parser:"@@"`
}

// Mul is a chain of "*", "/" and "%".
type Mul struct {
	Pos, EndPos Pos
	Left        *Unary   `parser:"@@"`
	Rest        []*MulOp `parser:"@@*"`
}

// MulOp is one multiplicative operand.
type MulOp struct {
	Pos, EndPos Pos
	Op          string `parser:"@(\"*\" | \"/\" | \"%\")"`
	Right       *Unary `parser:"@@"`
}

// Unary is a prefix operator applied to an operand, or a power.
type Unary struct {
	Pos, EndPos Pos
	Op          string `parser:"(  @(\"-\" | \"+\" | \"not\")"`
	Operand     *Unary `parser:"   @@"`
	Power       *Power `parser:"| @@ )"`
}

// Power is "base ^ exponent" (right associative) or just the base.
type Power struct {
	Pos, EndPos Pos
	Base        *Postfix `parser:"@@"`
	Exp         *Unary   `parser:"( \"^\" @@ )?"`
}

// Postfix is a primary followed by calls, indexing and field selections.
type Postfix struct {
	Pos, EndPos Pos
	Primary     *Primary  `parser:"@@"`
	Suffixes    []*Suffix `parser:"@@*"`
}

// Suffix is one postfix operation. Exactly one field is set.
type Suffix struct {
	Pos, EndPos Pos
	Call        *Call  `parser:"  @@"`
	Index       *Expr  `parser:"| \"[\" @@ \"]\""`
	Field       *Ident `parser:"| \".\" @@"`
}

// Call is an argument list.
type Call struct {
	Pos, EndPos Pos
	Args        []*Arg `parser:"\"(\" ( @@ ( \",\" @@ )* \",\"? )? \")\""`
}

// Arg is a call argument, optionally named ("shift: s").
type Arg struct {
	Pos, EndPos Pos
	Name        *Ident `parser:"( @@ \":\" )?"`
	Value       *Expr  `parser:"@@"`
}

// Primary is an operand. Exactly one field is set.
type Primary struct {
	Pos, EndPos Pos
	Number      *Number `parser:"  @@"`
	Size        *Size   `parser:"| @@"`
	String      *String `parser:"| @@"`
	Bool        string  `parser:"| @(\"true\" | \"false\")"`
	Kernel      *Kernel `parser:"| @@"`
	Table       *Table  `parser:"| @@"`
	List        *List   `parser:"| @@"`
	Block       *Block  `parser:"| @@"`
	Paren       *Expr   `parser:"| \"(\" @@ \")\""`
	Ident       *Ident  `parser:"| @@"`
}

// Number is a numeric literal with an optional unit suffix: 10deg, 0.5rad, 3px.
type Number struct {
	Pos, EndPos Pos
	Raw         string `parser:"@Number"`
}

// List is "[a, b, c]" or the comprehension "[e for x in xs if cond]" (a
// comprehension has exactly one item; the checker enforces it).
type List struct {
	Pos, EndPos Pos
	Items       []*Expr  `parser:"\"[\" ( @@ ( \",\" @@ )* \",\"? )?"`
	For         *ListFor `parser:"@@? \"]\""`
}

// ListFor is the "for x in xs [if cond]" part of a comprehension.
type ListFor struct {
	Pos, EndPos Pos
	Var         *Ident `parser:"\"for\" @@ \"in\""`
	Domain      *Expr  `parser:"@@"`
	Cond        *Expr  `parser:"( \"if\" @@ )?"`
}

// Block is "{ let a = … let b = … result }".
type Block struct {
	Pos, EndPos Pos
	Lets        []*Let `parser:"\"{\" @@*"`
	Result      *Expr  `parser:"@@ \"}\""`
}

// Kernel is a literal matrix "kernel [[…], […]]" or a constructor
// "kernel SIZE (x, y, r, t) => expr" evaluated over the SIZE×SIZE grid.
type Kernel struct {
	Pos, EndPos Pos
	Rows        []*Row   `parser:"\"kernel\" ( \"[\" @@ ( \",\" @@ )* \",\"? \"]\""`
	Size        *KSize   `parser:"         | @@"`
	Coords      []*Ident `parser:"           \"(\" @@ ( \",\" @@ )* \")\" \"=>\""`
	Body        *Expr    `parser:"           @@ )"`
}

// Row is one row of a literal kernel.
type Row struct {
	Pos, EndPos Pos
	Cells       []*Expr `parser:"\"[\" @@ ( \",\" @@ )* \",\"? \"]\""`
}

// KSize is a kernel constructor's size: a "KxK" literal, a number, a name or
// a parenthesised expression.
type KSize struct {
	Pos, EndPos Pos
	Size        *Size   `parser:"  @@"`
	Number      *Number `parser:"| @@"`
	Ident       *Ident  `parser:"| @@"`
	Paren       *Expr   `parser:"| \"(\" @@ \")\""`
}

// Table is a piecewise-linear table: options, then "key: value" entries.
type Table struct {
	Pos, EndPos Pos
	Options     []*TableOption `parser:"\"table\" @@*"`
	Entries     []*Entry       `parser:"\"{\" ( @@ ( \",\" @@ )* \",\"? )? \"}\""`
}

// TableOption is "mirror 180deg", "periodic 360deg", "gap 10deg", "fill -0.01".
type TableOption struct {
	Pos, EndPos Pos
	Name        *Ident `parser:"@@"`
	Value       *Unary `parser:"@@"`
}

// Entry is one "key: value" pair of a table.
type Entry struct {
	Pos, EndPos Pos
	Key         *Expr `parser:"@@ \":\""`
	Value       *Expr `parser:"@@"`
}
