// Package arch holds no code: its test checks that imports run down the
// floors of circc's house (leaves, language, compiler, runtime, reference
// networks, analyses, front ends), so that a change that points an arrow
// up fails in CI rather than in review.
package arch
