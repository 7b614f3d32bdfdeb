package onnx

// Crop is a square window of a model's input: rows and columns
// [Y0, Y0+Size) and [X0, X0+Size). The zero crop is the whole input.
type Crop struct{ Y0, X0, Size int }

// CentreCrop finds the smallest square window of a size×size input whose
// run reads, at the centre cell of every output, exactly what the
// full-size run reads at its centre cell: the window covers each of those
// cells' receptive fields, and is placed so that the centre cell of each
// cropped map is the same cell of the image. Nothing outside a cell's
// field reaches it, so the values are the same, and the network does a
// fraction of the work. ok is false when no smaller window does (a field
// reaching the image's border, a graph whose fields it cannot follow).
func (m *Model) CentreCrop(outs []string, channels, size int) (Crop, bool) {
	return m.CentreCropWindows(outs, nil, channels, size)
}

// CentreCropWindows is CentreCrop for outputs read as the maximum over a
// centred block of cells (ReadWindowsEach): windows[i] is output i's
// block side (nil or 1: the centre cell alone). The window covers the
// fields of every cell of each block, placed so that each cropped map's
// block is the same cells of the image.
func (m *Model) CentreCropWindows(outs []string, windows []int, channels, size int) (Crop, bool) {
	win := func(i int) int {
		if i < len(windows) && windows[i] > 1 {
			return windows[i]
		}
		return 1
	}
	fields, err := m.ReceptiveFields()
	if err != nil {
		return Crop{}, false
	}
	full, err := m.Shapes([]int64{1, int64(channels), int64(size), int64(size)})
	if err != nil {
		return Crop{}, false
	}
	type need struct {
		f      Field
		w      int    // the block's side
		centre [2]int // the full-size block's first cell
		lo, hi [2]int // its field in the image
	}
	var needs []need
	smallest := 1
	for _, t := range outs {
		f, ok := fields[t]
		s := full[t]
		if !ok || len(s) != 4 {
			return Crop{}, false
		}
		w := win(len(needs))
		if int64(w) >= s[2] || int64(w) >= s[3] {
			return Crop{}, false // the whole map is read
		}
		n := need{f: f, w: w, centre: [2]int{int(s[2]-int64(w)) / 2, int(s[3]-int64(w)) / 2}}
		for a := 0; a < 2; a++ {
			n.lo[a] = f.Lo[a] + n.centre[a]*f.Jump[a]
			n.hi[a] = f.Hi[a] + (n.centre[a]+w-1)*f.Jump[a]
			if n.lo[a] < 0 || n.hi[a] >= size {
				return Crop{}, false // padding reaches the cell at full size
			}
			smallest = max(smallest, n.hi[a]-n.lo[a]+1)
		}
		needs = append(needs, n)
	}
	for s := smallest; s < size; s++ {
		shapes, err := m.Shapes([]int64{1, int64(channels), int64(s), int64(s)})
		if err != nil {
			continue
		}
		var origin [2]int
		fits := true
		for i, t := range outs {
			n, sh := needs[i], shapes[t]
			for a := 0; a < 2 && fits; a++ {
				c := int(sh[2+a]-int64(n.w)) / 2
				o := (n.centre[a] - c) * n.f.Jump[a] // where the window must start
				if i == 0 {
					origin[a] = o
				}
				fits = o == origin[a] && o >= 0 && o+s <= size && n.lo[a] >= o && n.hi[a] < o+s
			}
		}
		if fits {
			return Crop{Y0: origin[0], X0: origin[1], Size: s}, true
		}
	}
	return Crop{}, false
}
