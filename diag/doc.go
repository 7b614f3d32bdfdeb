// Package diag holds circ's one diagnostic type and its renderers.
//
// It reads nothing: the parser and the checker produce Diagnostics (a
// stable Code, a terse Summary, an optional Detail and Hint, the Subject
// range of the offending text, and Notes pointing elsewhere). A List sorts
// and de-duplicates them, renders them for people (WriteText: the source
// line with a caret under the subject) and for machines (MarshalJSON).
// Suggest finds did-you-mean candidates by edit distance.
//
// Guarantees: rendering never fails on positions outside the text (the
// excerpt is left out), sorting is total and deterministic.
package diag
