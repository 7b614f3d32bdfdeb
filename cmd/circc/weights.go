package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/circc/circc/models"

	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/weights"
)

// weightsReport is circc weights' JSON.
type weightsReport struct {
	Model      string    `json:"model"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	Channels   []int     `json:"channels"`
	Shape      []int     `json:"shape"`
	Weights    []float32 `json:"weights"`
	FromTensor string    `json:"from_tensor"`
	ToTensor   string    `json:"to_tensor"`
	// Offset and Stride place the kernel: output cell q reads the input
	// cells q·stride + offset + (y, x), in the from layer's cells.
	Offset [2]int `json:"offset"`
	Stride [2]int `json:"stride"`
}

func runWeights(e *env, args []string) int {
	fl := newFlags("weights", e.stderr)
	rf := addRefFlags(fl, flagAgainst)
	jsonOut := addJSON(fl, "the weights")
	pngOut := fl.String("png", "", "draw the tiles into `FILE` (PNG)")
	top := fl.IntIn("top", 24, 0, 4096, "the picture's columns: the N input channels most strongly connected (0: all)")
	if fl.Parse(args) != nil {
		return exitUsage
	}
	if fl.NArg() != 2 {
		fmt.Fprintln(e.stderr, "usage: circc weights --against MODEL [--json FILE] [--png FILE] FROM 'TO[CHANNELS]' (units as LAYER:CH, LAYER[SEL] or MODEL.LAYER…)")
		return exitUsage
	}
	if err := distinctOutputs(e.fs, map[string]string{"json": *jsonOut, "png": *pngOut}); err != nil {
		return e.fail(badUsage(err))
	}
	reg := models.Registered(e.fs, *rf.models)
	// Units as any command prints them: LAYER:CH, LAYER[SEL], MODEL.….
	fromRef, err := parseUnitRef(fl.Arg(0), reg.Names())
	var toRef unitRef
	if err == nil {
		toRef, err = parseUnitRef(fl.Arg(1), reg.Names())
	}
	if err == nil && fromRef.Channels != nil {
		err = fmt.Errorf("%s: the source is a whole layer (its channels are the columns)", fl.Arg(0))
	}
	for _, m := range []string{fromRef.Model, toRef.Model} {
		if err == nil && m != "" && m != *rf.against {
			if fl.Given("against") {
				err = fmt.Errorf("--against %s, but the units name %s", *rf.against, m)
			}
			*rf.against = m
		}
	}
	if err != nil {
		return e.fail(badUsage(err))
	}
	net, _, code := rf.open(e)
	if net == nil {
		return code
	}
	from, to := fromRef.Layer, fl.Arg(1)
	toLayer, channels := toRef.Layer, toRef.Channels
	fromTensor, err := net.Tensor(from)
	if err == nil {
		to, err = net.Tensor(toLayer)
	}
	if err != nil {
		return e.fail(badUsage(err))
	}
	if err := channelsOf(net.Manifest, toLayer, channels); err != nil {
		return e.fail(badUsage(err))
	}
	size := net.Manifest.Input.Size
	input := []int64{1, int64(len(net.Manifest.Input.Channels)), int64(size[0]), int64(size[1])}
	p := e.stage("expanding weights", "", *jsonOut == "-")
	ex, err := weights.Expand(net.Model, input, fromTensor, to, channels)
	p.end()
	if errors.Is(err, weights.ErrNotAfter) {
		// The two layers were given the wrong way round: say so by their names.
		err = badUsage(fmt.Errorf("%w: %s does not come after %s; name the earlier layer first", weights.ErrNotAfter, toLayer, from))
	}
	if err != nil {
		return e.fail(err)
	}
	shape := ex.Shape()
	if *pngOut != "" {
		cols := ex.Strongest()
		if *top > 0 && *top < len(cols) {
			cols = cols[:*top]
		}
		g := &weights.Grid{Title: fmt.Sprintf("%s: %s -> %s (expanded weights)", net.Manifest.Name, from, toLayer), Size: [2]int{shape[2], shape[3]}}
		for _, c := range cols {
			g.Cols = append(g.Cols, strconv.Itoa(c))
		}
		for o, ch := range ex.Channels {
			g.Rows = append(g.Rows, strconv.Itoa(ch))
			var row [][]float32
			for _, c := range cols {
				row = append(row, ex.Tile(o, c))
			}
			g.Tiles = append(g.Tiles, row)
		}
		data, err := g.PNG(0)
		if err == nil {
			err = safefs.WriteFile(e.fs, *pngOut, data)
		}
		if err != nil {
			return e.fail(err)
		}
	}
	rep := weightsReport{Model: net.Manifest.Name, From: from, To: toLayer, Channels: ex.Channels, Shape: shape,
		Weights: ex.W.Data().([]float32), FromTensor: fromTensor, ToTensor: to, Offset: ex.Lo, Stride: ex.Jump}
	if *jsonOut != "" {
		if err := writeJSON(e, rep); err != nil {
			return e.fail(err)
		}
	}
	if *jsonOut != "-" {
		fmt.Fprintf(e.stdout, "%s: %s -> %s, %d × %d × %d × %d (outputs × inputs × rows × columns), offset %v, stride %v in %s's cells\n",
			net.Manifest.Name, from, toLayer, shape[0], shape[1], shape[2], shape[3], ex.Lo, ex.Jump, from)
		strongest := ex.Strongest()
		fmt.Fprintf(e.stdout, "strongest inputs:")
		for _, c := range strongest[:min(8, len(strongest))] {
			fmt.Fprintf(e.stdout, " %s:%d", from, c)
		}
		fmt.Fprintln(e.stdout)
	}
	return exitOK
}

// parseChannels splits LAYER[CHANNELS] into the layer and its channels:
// whole numbers, A..B (inclusive) and A..<B, separated by commas; no
// brackets: all channels (nil).
func parseChannels(s string) (string, []int, error) {
	open := strings.IndexByte(s, '[')
	if open < 0 {
		return s, nil, nil
	}
	if !strings.HasSuffix(s, "]") {
		return "", nil, fmt.Errorf("a channel list ends with ]")
	}
	layer, list := s[:open], s[open+1:len(s)-1]
	var out []int
	num := func(t string) (int, error) {
		v, err := strconv.Atoi(strings.TrimSpace(t))
		if err != nil || v < 0 || v > 1<<20 {
			return 0, fmt.Errorf("%q is not a channel number", strings.TrimSpace(t))
		}
		return v, nil
	}
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(part, "..")
		if !isRange {
			v, err := num(part)
			if err != nil {
				return "", nil, err
			}
			out = append(out, v)
			continue
		}
		a, err := num(lo)
		if err != nil {
			return "", nil, err
		}
		end, open := hi, strings.HasPrefix(hi, "<")
		if open {
			end = hi[1:]
		}
		b, err := num(end)
		if err != nil {
			return "", nil, err
		}
		if open {
			b--
		}
		if b < a || b-a > 1<<16 {
			return "", nil, fmt.Errorf("the range %s is empty or too long", strings.TrimSpace(part))
		}
		for v := a; v <= b; v++ {
			out = append(out, v)
		}
	}
	return layer, out, nil
}
