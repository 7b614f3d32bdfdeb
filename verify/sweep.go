package verify

import (
	"runtime"
	"sync"

	"github.com/circc/circc/models"
	ort "github.com/circc/circc/runtime"
	"github.com/circc/circc/stimuli"
)

// BatchSize is the number of images run at once.
const BatchSize = 16

// Responses holds, per graph output, per image, per channel, the unit's
// response read at the centre of its feature map.
type Responses map[string][][]float32

// readout returns, for each image and channel of an NCHW output, the
// maximum over the window×window block at the centre of the map; window 0
// or 1 reads the one unit at cell ((H-1)/2, (W-1)/2). A wider window lets
// each stimulus pick the position that suits it best, which blurs
// orientation tuning; the single centre unit is the default.
func readout(o ort.Output, window int) [][]float32 {
	n, c, h, w := int(o.Shape[0]), int(o.Shape[1]), int(o.Shape[2]), int(o.Shape[3])
	if window <= 0 {
		window = 1
	}
	window = min(window, h, w)
	y0, x0 := (h-window)/2, (w-window)/2
	out := make([][]float32, n)
	for i := 0; i < n; i++ {
		out[i] = make([]float32, c)
		for ch := 0; ch < c; ch++ {
			plane := o.Data[((i*c)+ch)*h*w : ((i*c)+ch+1)*h*w]
			m := plane[y0*w+x0]
			for y := y0; y < y0+window; y++ {
				for x := x0; x < x0+window; x++ {
					m = max(m, plane[y*w+x])
				}
			}
			out[i][ch] = m
		}
	}
	return out
}

// globalMax is, per image and channel, the largest activation anywhere.
func globalMax(o ort.Output) [][]float32 {
	return readout(o, int(max(o.Shape[2], o.Shape[3])))
}

// sweep renders n images (in parallel, ahead of the network) and runs them
// through the session in batches, reading every output with read. With a
// crop, the session takes that window of each image.
func sweep(s *ort.Session, man *models.Manifest, n int, image func(i int) (*stimuli.Image, error), outs []string,
	read func(ort.Output) [][]float32, progress func(done, total int), window crop) (Responses, error) {
	h, w := man.Input.Size[0], man.Input.Size[1]
	if window.Size > 0 {
		h, w = window.Size, window.Size
	}
	c := len(man.Input.Channels)
	per := c * h * w
	type batch struct {
		data []float32
		k    int
		err  error
	}
	batches := make(chan batch, 2)
	go func() {
		defer close(batches)
		for start := 0; start < n; start += BatchSize {
			k := min(BatchSize, n-start)
			b := batch{data: make([]float32, k*per), k: k}
			var wg sync.WaitGroup
			var mu sync.Mutex
			sem := make(chan struct{}, runtime.NumCPU())
			for j := 0; j < k; j++ {
				wg.Add(1)
				sem <- struct{}{}
				go func(j int) {
					defer wg.Done()
					defer func() { <-sem }()
					im, err := image(start + j)
					if err == nil {
						im = cropImage(im, window)
						err = man.FromRGB(b.data[j*per:(j+1)*per], im.Pix, h, w)
					}
					if err != nil {
						mu.Lock()
						b.err = err
						mu.Unlock()
					}
				}(j)
			}
			wg.Wait()
			batches <- b
			if b.err != nil {
				return
			}
		}
	}()
	res := Responses{}
	done := 0
	for b := range batches {
		if b.err != nil {
			for range batches {
			}
			return nil, b.err
		}
		out, err := s.Run(b.data, []int64{int64(b.k), int64(c), int64(h), int64(w)})
		if err != nil {
			for range batches {
			}
			return nil, err
		}
		for i, o := range out {
			res[outs[i]] = append(res[outs[i]], read(o)...)
		}
		done += b.k
		if progress != nil {
			progress(done, n)
		}
	}
	return res, nil
}
