package main

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"path/filepath"
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
	if fl.Parse(args) != nil || fl.NArg() != 0 {
		fmt.Fprintln(e.stderr, "usage: circc stimuli --kind KIND --out DIR")
		return exitUsage
	}
	kinds := []string{*kind}
	if *kind == "all" {
		kinds = stimuli.Names()
	}
	if err := e.fs.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintf(e.stderr, "circc: %v\n", err)
		return exitUsage
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
			fmt.Fprintf(e.stderr, "circc: %v\n", err)
			return exitUsage
		}
		var b bytes.Buffer
		if err := png.Encode(&b, set.ContactSheet(48, 36)); err != nil {
			fmt.Fprintf(e.stderr, "circc: %v\n", err)
			return exitUsage
		}
		path := filepath.Join(*out, k+".png")
		if err := safefs.WriteFile(e.fs, path, b.Bytes()); err != nil {
			fmt.Fprintf(e.stderr, "circc: %v\n", err)
			return exitUsage
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
	items, err := datasets.ImageNetSample(e.fs, datasets.Dir(data, "imagenet-sample"))
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
		fmt.Fprintf(e.stderr, "circc: %v\n", err)
		return exitUsage
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
		fmt.Fprintf(e.stderr, "circc: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "wrote %s: %s turned in 1deg steps (every 10th shown)\n", path, items[0].Name)
	return exitOK
}
