package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/circc/circc/models"
)

// unitRef is natural units as a user writes them to any command, and as
// every command prints them: LAYER:CH, LAYER[SEL], MODEL.LAYER:CH or
// MODEL.LAYER[SEL] (SEL: channels and ranges a..b, a..<b). Model is ""
// when the reference does not name one.
type unitRef struct {
	Model, Layer string
	Channels     []int // nil for a bare layer
}

// parseUnitRef reads a unit reference; models are the registered model
// names, which may hold dots (squeezenet1.0), to tell MODEL. from a
// layer name.
func parseUnitRef(s string, models []string) (unitRef, error) {
	var r unitRef
	rest := s
	for _, m := range models {
		if strings.HasPrefix(rest, m+".") && len(m) > len(r.Model) {
			r.Model = m
		}
	}
	if r.Model != "" {
		rest = strings.TrimPrefix(rest, r.Model+".")
	}
	switch layer, ch, ok := strings.Cut(rest, ":"); {
	case ok && !strings.ContainsAny(rest, "[]"):
		c, err := strconv.Atoi(ch)
		if err != nil || c < 0 {
			return r, fmt.Errorf("%s: %q is not a channel number", s, ch)
		}
		r.Layer, r.Channels = layer, []int{c}
	default:
		layer, chans, err := parseChannels(rest)
		if err != nil {
			return r, fmt.Errorf("%s: %v", s, err)
		}
		r.Layer, r.Channels = layer, chans
	}
	if r.Layer == "" {
		return r, fmt.Errorf("%s names no layer", s)
	}
	return r, nil
}

// isUnitRef says whether a command-line unit is a natural reference
// (LAYER:CH or LAYER[SEL], with or without MODEL.), not a circuit's unit.
func isUnitRef(s string) bool { return strings.ContainsAny(s, ":[") }

// channelsOf checks channels against the width of a model's layer, by the
// layer's name, before any work starts (a tensor the manifest does not
// name is left to the analysis).
func channelsOf(m *models.Manifest, layer string, channels []int) error {
	l, ok := m.Layer(layer)
	if !ok {
		return nil
	}
	for _, c := range channels {
		if c < 0 || c >= l.Channels {
			return fmt.Errorf("%s has channels 0 to %d; %d is not one", l.Name, l.Channels-1, c)
		}
	}
	return nil
}
