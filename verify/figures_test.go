package verify

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/models"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// glyphs is text s drawn in the figures' font, as a mask of dark pixels
// over its box: the independent picture a label must match.
func glyphs(s string) [][]bool {
	img := image.NewRGBA(image.Rect(0, 0, 7*len([]rune(s)), 13))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: img, Src: image.Black, Face: basicfont.Face7x13, Dot: fixed.P(0, 10)}
	d.DrawString(s)
	mask := make([][]bool, 13)
	for y := range mask {
		mask[y] = make([]bool, img.Bounds().Dx())
		for x := range mask[y] {
			r, _, _, _ := img.At(x, y).RGBA()
			mask[y][x] = r < 0x8000
		}
	}
	return mask
}

// hasText reports whether img shows s somewhere: pixel for pixel, dark
// where the font puts ink and light everywhere else in the text's box.
func hasText(img image.Image, s string) bool {
	mask := glyphs(s)
	dark := func(x, y int) bool {
		r, g, b, _ := img.At(x, y).RGBA()
		return r+g+b < 3*0x8000
	}
	b := img.Bounds()
	h, w := len(mask), len(mask[0])
	for y := b.Min.Y; y <= b.Max.Y-h; y++ {
		for x := b.Min.X; x <= b.Max.X-w; x++ {
			match := true
			for dy := 0; dy < h && match; dy++ {
				for dx := 0; dx < w; dx++ {
					if dark(x+dx, y+dy) != mask[dy][dx] {
						match = false
						break
					}
				}
			}
			if match {
				return true
			}
		}
	}
	return false
}

// TestFiguresReadAlone: every file --figures writes carries its own title,
// legend or axes and colour scale, so that it reads without the README.
// The heat maps and weight grids are checked for their labels pixel by
// pixel against the font; the SVG plots by their text in headless
// Chromium, which renders every figure kind on one page and takes a
// screenshot.
func TestFiguresReadAlone(t *testing.T) {
	t.Parallel()
	_, rep := curves(t)
	dir := t.TempDir()
	fs := afero.NewOsFs()
	written, err := rep.Figures(fs, dir, func(p string, b []byte) error { return os.WriteFile(p, b, 0o644) })
	if err != nil {
		t.Fatal(err)
	}
	f := familyNamed(t, rep, "mixed3b.curve")
	decode := func(p string) image.Image {
		data, _ := os.ReadFile(p)
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return img
	}
	heat := decode(filepath.Join(dir, "mixed3b.curve.heatmaps.png"))
	for _, want := range []string{"mixed3b.curve ~ mixed3b: responses to the curves set", "x: orientation 0 to 360 deg; rows: radius",
		"hand-made " + f.Pairs[0].Unit, "natural " + f.Pairs[0].Natural, "hand-made " + f.Pairs[len(f.Pairs)-1].Unit, "90", "colour: 0 to each unit's peak"} {
		if !hasText(heat, want) {
			t.Errorf("the heat maps lack %q", want)
		}
	}
	if len(rep.Connections) > 0 && rep.Connections[0].Skipped == "" {
		c := rep.Connections[0]
		w := decode(filepath.Join(dir, c.From+"-"+c.To+".weights-natural.png"))
		if !hasText(w, "colour: weight, -") {
			t.Errorf("the weight grid lacks its colour scale")
		}
	}
	// The kinds only a search (the members plot) and --vis (the portraits)
	// make, from the small planted network.
	pdir := plantedNetwork(t, 40, false)
	r := curvesAgainstIn(t, "planted.*", models.Registered(afero.NewOsFs(), pdir))
	prep, err := Run(afero.NewOsFs(), r, Options{Against: "planted", ModelsDir: pdir, DataDir: sharedData, NullSeeds: 3, Vis: &VisOptions{Size: 32, Steps: 4, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	more, err := prep.Figures(fs, filepath.Join(dir, "planted"), func(p string, b []byte) error { return os.WriteFile(p, b, 0o644) })
	if err != nil {
		t.Fatal(err)
	}
	written = append(written, more...)
	pf := prep.Families[0]
	portraits := decode(filepath.Join(dir, "planted", "mixed3b.curve.portraits.png"))
	for _, want := range []string{"mixed3b.curve ~ " + pf.NaturalLayer + ": feature visualizations (32x32, 4 steps)", "in each pair, the hand-made unit (left)"} {
		if !hasText(portraits, want) {
			t.Errorf("the portraits lack %q", want)
		}
	}
	var pngs, svgs []string
	for _, p := range written {
		if strings.HasSuffix(p, ".png") {
			pngs = append(pngs, p)
		} else {
			svgs = append(svgs, p)
		}
	}

	// A label that is not there is not found: the check can fail.
	if hasText(heat, "hand-made nonexistent") {
		t.Error("hasText finds what is not drawn")
	}

	// Every figure on one page in the real browser: the images decode, the
	// SVG plots (inlined) show their titles and legends, and a screenshot
	// is taken.
	var page strings.Builder
	page.WriteString(`<!doctype html><html><body>`)
	for _, p := range pngs {
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&page, `<p><img src="%s" alt="%s"></p>`, rel, rel)
	}
	for _, p := range svgs {
		data, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&page, `<div data-file="%s">%s</div>`, rel, data)
	}
	page.WriteString(`<script>window.addEventListener('load',()=>{const imgs=[...document.images];` +
		`const bad=imgs.filter(i=>!i.complete||i.naturalWidth===0).length;` +
		`const texts=[...document.querySelectorAll('div[data-file]')].map(d=>d.dataset.file+': '+[...d.querySelectorAll('text')].map(t=>t.textContent).join(' | '));` +
		`document.body.setAttribute('data-check',imgs.length+' images, '+bad+' broken');` +
		`const pre=document.createElement('pre');pre.id='texts';pre.textContent=texts.join('\n');document.body.appendChild(pre);});</script></body></html>`)
	file := filepath.Join(dir, "figures.html")
	os.WriteFile(file, []byte(page.String()), 0o644)
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--user-data-dir=" + filepath.Join(dir, "profile"), "--virtual-time-budget=10000"}
	out, err := exec.Command(chromium(t), append(args, "--dump-dom", "file://"+file)...).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	if m := regexp.MustCompile(`data-check="(\d+) images, (\d+) broken"`).FindStringSubmatch(dom); m == nil || m[1] != fmt.Sprint(len(pngs)) || m[2] != "0" {
		t.Errorf("images in the browser: %v (want %d, none broken)", m, len(pngs))
	}
	for _, want := range []string{
		"mixed3b.curve.radial.svg: mixed3b.curve ~ mixed3b: radial tuning on the curves set | red: hand-made units; blue: their natural partners",
		"mixed3b.curve.radial-handmade.svg: mixed3b.curve: radial tuning of the hand-made units",
		"distance from the grey circle: response over the unit's peak",
		"planted/mixed3b.curve.profile.svg: members of the curves kind by layer; grey: the layer-only null, mean ± 2 sd",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the browser does not show %q", want)
		}
	}
	shot := filepath.Join(dir, "figures.png")
	if err := exec.Command(chromium(t), append(args, "--window-size=1200,3000", "--screenshot="+shot, "file://"+file)...).Run(); err != nil {
		t.Fatalf("chromium screenshot: %v", err)
	}
	img := decode(shot)
	// The screenshot shows the heat maps' title as the file does.
	if b := img.Bounds(); b.Dx() != 1200 || !hasText(img, "mixed3b.curve ~ mixed3b: responses to the curves set") {
		t.Errorf("the screenshot (%v) does not show the heat maps' title", b)
	}
}
