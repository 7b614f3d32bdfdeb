package verify

import (
	"fmt"

	"github.com/circc/circc/models"
	ort "github.com/circc/circc/runtime"
	"github.com/circc/circc/stimuli"
)

// Responses holds, per graph output, per image, per channel, the unit's
// response: the value its session reads in the graph (the centre cell,
// a window's maximum, or the map's).
type Responses map[string][][]float32

// cells reads an [N, C, H, W] output as one row of C·H·W values per
// image (C values for the [N, C, 1, 1] of a window's readout).
func cells(o ort.Output, n int) ([][]float32, error) {
	if len(o.Shape) != 4 || int(o.Shape[0]) < n {
		return nil, fmt.Errorf("output %s has shape %v, not [N, C, H, W]", o.Name, o.Shape)
	}
	c := int(o.Shape[1] * o.Shape[2] * o.Shape[3])
	out := make([][]float32, n)
	for i := range out {
		out[i] = o.Data[i*c : (i+1)*c : (i+1)*c]
	}
	return out, nil
}

// sweep renders n images and runs them through the session, which reads
// one value per image and channel of each output in its graph. Rendering
// runs in parallel, ahead of the network (ort.Feed); every batch, the last
// too, holds batchSize images, so that the session sees one input shape
// (on CUDA, cuDNN searches its algorithms once per shape). With a crop,
// the session takes that window of each image.
func sweep(s *ort.Session, man *models.Manifest, n int, image func(i int) (*stimuli.Image, error), outs []string,
	progress func(done, total int), window crop, batchSize int) (Responses, error) {
	h, w := man.Input.Size[0], man.Input.Size[1]
	if window.Size > 0 {
		h, w = window.Size, window.Size
	}
	c := len(man.Input.Channels)
	feed := ort.NewFeed(n, batchSize, c*h*w, func(i int, dst []float32) error {
		im, err := image(i)
		if err != nil {
			return err
		}
		return man.FromRGB(dst, cropImage(im, window).Pix, h, w)
	})
	return drain(s, feed, n, []int64{int64(c), int64(h), int64(w)}, outs, progress)
}

// drain runs every batch of a feed of n inputs of the given per-image
// shape through the session and gathers one row per input and output.
func drain(s *ort.Session, feed *ort.Feed, n int, shape []int64, outs []string, progress func(done, total int)) (Responses, error) {
	defer feed.Close()
	res := Responses{}
	for {
		b, ok := feed.Next()
		if !ok {
			break
		}
		out, err := s.Run(b.Data, append([]int64{int64(b.Size)}, shape...))
		if err != nil {
			return nil, err
		}
		feed.Done(b)
		for i, o := range out {
			rows, err := cells(o, b.K)
			if err != nil {
				return nil, err
			}
			res[outs[i]] = append(res[outs[i]], rows...)
		}
		if progress != nil {
			progress(b.Start+b.K, n)
		}
	}
	if err := feed.Err(); err != nil {
		return nil, err
	}
	return res, nil
}

// sweepTensors runs rows (one input tensor of the given per-image shape
// each) through the session, as sweep runs images.
func sweepTensors(s *ort.Session, rows [][]float32, shape []int64, outs []string, batchSize int) (Responses, error) {
	width := 1
	for _, d := range shape {
		width *= int(d)
	}
	feed := ort.NewFeed(len(rows), batchSize, width, func(i int, dst []float32) error {
		copy(dst, rows[i])
		return nil
	})
	return drain(s, feed, len(rows), shape, outs, nil)
}
