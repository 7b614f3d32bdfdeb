package ast

import "reflect"

// Equal reports whether two files have the same syntax, ignoring positions,
// comments and file names: what the formatter must preserve.
func Equal(a, b *File) bool {
	return equal(reflect.ValueOf(a), reflect.ValueOf(b))
}

var ignored = map[string]bool{"Pos": true, "EndPos": true, "Comments": true, "Doc": true}

func equal(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equal(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !equal(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		t := a.Type()
		for i := 0; i < a.NumField(); i++ {
			name := t.Field(i).Name
			if ignored[name] || t == reflect.TypeOf(File{}) && name == "Name" {
				continue
			}
			if !equal(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	default:
		return a.Interface() == b.Interface()
	}
}

// BareIdent returns the identifier an expression consists of, or nil when
// the expression is anything more ("pad same" reads the word same).
func BareIdent(e *Expr) *Ident {
	if e == nil || e.Or == nil || len(e.Or.Rest) > 0 || len(e.Or.Left.Rest) > 0 || e.Or.Left.Left.Op != "" {
		return nil
	}
	r := e.Or.Left.Left.Left
	if r.Op != "" || len(r.From.Rest) > 0 || len(r.From.Left.Rest) > 0 || r.From.Left.Left.Power == nil {
		return nil
	}
	p := r.From.Left.Left.Power
	if p.Exp != nil || len(p.Base.Suffixes) > 0 {
		return nil
	}
	return p.Base.Primary.Ident
}

// Text is a reference part's name: the identifier, or the quoted tensor
// name without its quotes.
func (p *RefPart) Text() string {
	if p.Ident != nil {
		return p.Ident.Name
	}
	if p.Star {
		return "*"
	}
	if len(p.Str.Raw) >= 2 {
		return p.Str.Raw[1 : len(p.Str.Raw)-1]
	}
	return p.Str.Raw
}

// String writes the reference as in the source: mixed3b.curve,
// inceptionv1."inception_3b/output_1".
func (r *Ref) String() string {
	s := ""
	for i, p := range r.Parts {
		if i > 0 {
			s += "."
		}
		switch {
		case p.Ident != nil:
			s += p.Ident.Name
		case p.Star:
			s += "*"
		default:
			s += p.Str.Raw
		}
	}
	return s
}
