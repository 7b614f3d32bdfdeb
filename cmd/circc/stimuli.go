package main

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"path/filepath"
	"slices"
	"strings"

	"github.com/circc/circc/datasets"
	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/stimuli"
)

func runStimuli(e *env, args []string) int {
	fl := newFlags("stimuli", e.stderr)
	kind := fl.String("kind", "curves", "stimulus set: "+strings.Join(stimuli.Names(), ", ")+", rotations (a dataset photo turned in 1deg steps), or all")
	data := fl.String("data", "", "folder holding the photo sets (for rotations)")
	out := fl.String("out", ".", "folder for the contact sheets (KIND.png)")
	size := fl.IntIn("size", 224, 16, 4096, "image size in pixels")
	list := fl.Bool("list", false, "describe every stimulus set: what it shows, its axes and count, the orientation convention")
	if fl.Parse(args) != nil {
		return exitUsage
	}
	if fl.NArg() != 0 {
		fmt.Fprintln(e.stderr, "usage: circc stimuli --list | --kind KIND --out DIR")
		return exitUsage
	}
	if *list {
		listStimuli(e, *size)
		return exitOK
	}
	kinds := []string{*kind}
	switch {
	case *kind == "all":
		kinds = append(stimuli.Names(), "rotations")
	case *kind != "rotations" && !slices.Contains(stimuli.Names(), *kind):
		return e.fail(badUsage(fmt.Errorf("no stimulus set %q (sets: %s, rotations, or all)", *kind, strings.Join(stimuli.Names(), ", "))))
	}
	// The rotations need the photo set: without it, rotations alone is an
	// error before anything is written, and all draws the synthetic sets
	// and says what it left out.
	if slices.Contains(kinds, "rotations") {
		if _, err := datasets.ImageNetSample(e.fs, datasets.Dir(e.fs, *data, "imagenet-sample")); err != nil {
			if *kind != "all" {
				return e.fail(err)
			}
			kinds = slices.DeleteFunc(kinds, func(k string) bool { return k == "rotations" })
			defer fmt.Fprintf(e.stderr, "circc: rotations left out: %v\n", err)
		}
	}
	if err := e.fs.MkdirAll(*out, 0o755); err != nil {
		return e.fail(err)
	}
	for _, k := range kinds {
		if k == "rotations" {
			if code := rotationSheet(e, *data, *size, *out); code != exitOK {
				return code
			}
			continue
		}
		set, err := stimuli.Lookup(k, *size)
		if err != nil {
			return e.fail(err)
		}
		var b bytes.Buffer
		if err := png.Encode(&b, set.ContactSheet(48, 36)); err != nil {
			return e.fail(err)
		}
		path := filepath.Join(*out, k+".png")
		if err := safefs.WriteFile(e.fs, path, b.Bytes()); err != nil {
			return e.fail(err)
		}
		var axes []string
		for _, a := range set.Axes {
			axes = append(axes, fmt.Sprintf("%d %s", len(a.Values), a.Name))
		}
		fmt.Fprintf(e.stdout, "wrote %s: %d stimuli (%s)\n", path, set.Len(), strings.Join(axes, " × "))
	}
	return exitOK
}

// rotationSheet writes the first dataset photo turned in 1deg steps (every
// 10th step shown): the inputs of rotation tuning curves.
func rotationSheet(e *env, data string, size int, out string) int {
	items, err := datasets.ImageNetSample(e.fs, datasets.Dir(e.fs, data, "imagenet-sample"))
	if err == nil && len(items) == 0 {
		err = fmt.Errorf("no photos")
	}
	var im *stimuli.Image
	if err == nil {
		var img image.Image
		if img, err = datasets.Decode(e.fs, items[0].Path); err == nil {
			im, err = stimuli.FromImage(img, size)
		}
	}
	if err != nil {
		return e.fail(err)
	}
	const thumb, cols = 64, 12
	sheet := image.NewRGBA(image.Rect(0, 0, cols*(thumb+2), 3*(thumb+2)))
	for i := 0; i < 36; i++ {
		t := stimuli.Thumbnail(stimuli.Rotate(im, float64(i*10)), thumb)
		draw.Draw(sheet, image.Rect((i%cols)*(thumb+2), (i/cols)*(thumb+2), (i%cols)*(thumb+2)+thumb, (i/cols)*(thumb+2)+thumb), t, image.Point{}, draw.Src)
	}
	var b bytes.Buffer
	png.Encode(&b, sheet)
	path := filepath.Join(out, "rotations.png")
	if err := safefs.WriteFile(e.fs, path, b.Bytes()); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "wrote %s: %s turned in 1deg steps (every 10th shown)\n", path, items[0].Name)
	return exitOK
}

// listStimuli describes the stimulus sets and the convention their
// orientations follow.
func listStimuli(e *env, size int) {
	fmt.Fprintf(e.stdout, "Stimulus sets at %d×%d pixels (circc stimuli --kind KIND --out DIR draws one; all draws every one):\n\n", size, size)
	for _, n := range stimuli.Names() {
		set, _ := stimuli.Lookup(n, size)
		var axes []string
		for _, a := range set.Axes {
			axes = append(axes, fmt.Sprintf("%s (%d: %s)", a.Name, len(a.Values), valueRange(a.Values)))
		}
		fmt.Fprintf(e.stdout, "%-14s %5d stimuli = %s\n               %s.\n", n, set.Len(), strings.Join(axes, " × "), set.Doc)
	}
	fmt.Fprintf(e.stdout, "%-14s %5d stimuli = angle (360: 0 to 359°)\n               the first dataset photo turned about its centre in 1° steps.\n", "rotations", 360)
	fmt.Fprintln(e.stdout, `
Orientation: the direction of a shape's normal in degrees, x to the right and
y downwards (so 90° points down), as in circ. A curve's circle lies behind
the orientation; an edge is dark on the side it points to and light behind.
So a hand-made unit written as clip(x / 1px, -1, 1), bright on the right, is
excited by the edge at 180° (light on the right), and reported there.`)
}

// valueRange writes an axis's values as "first to last" or a short list.
func valueRange(v []float64) string {
	if len(v) > 4 {
		return fmt.Sprintf("%g to %g", v[0], v[len(v)-1])
	}
	var s []string
	for _, x := range v {
		s = append(s, fmt.Sprintf("%g", x))
	}
	return strings.Join(s, ", ")
}
