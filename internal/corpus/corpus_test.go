package corpus

import (
	"bytes"
	"testing"
)

func TestCircSources(t *testing.T) {
	srcs := CircSources("../..")
	var curves, golden bool
	for _, s := range srcs {
		curves = curves || bytes.HasPrefix(s, []byte("circuit curves")) || bytes.Contains(s, []byte("\ncircuit curves\n"))
		golden = golden || bytes.Contains(s, []byte("// ERROR"))
	}
	if len(srcs) < 40 || !curves || !golden {
		t.Errorf("%d sources; curves.circ among them: %v; golden error cases: %v", len(srcs), curves, golden)
	}
}
