package reference

import (
	"fmt"

	"github.com/spf13/afero"

	"github.com/circc/circc/datasets"
	"github.com/circc/circc/onnx"
	ort "github.com/circc/circc/runtime"
)

// Accuracy is a model's top-1 and top-5 accuracy on a photo set.
type Accuracy struct {
	Name     string  `json:"name"`
	Images   int     `json:"images"`
	Top1     float64 `json:"top1"`
	Top5     float64 `json:"top5"`
	Provider string  `json:"provider"`
}

// Photos feeds photos to the model in batches of size: read, decoded and
// preprocessed in parallel, ahead of the session.
func (n *Net) Photos(fs afero.Fs, items []datasets.Item, size int) *ort.Feed {
	width := len(n.Manifest.Input.Channels) * n.Manifest.Input.Size[0] * n.Manifest.Input.Size[1]
	photos := datasets.NewReader(fs, items)
	return ort.NewFeed(len(items), size, width, func(i int, dst []float32) error {
		img, err := photos.Decode(items[i].Path)
		if err == nil {
			err = n.Manifest.PreprocessInto(dst, img)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", items[i].Path, err)
		}
		return nil
	})
}

// Evaluate runs model (the reference or an edited copy) on the photos and
// counts how often the label is the top class and among the top five.
// progress, when not nil, is told how many photos are done.
func (n *Net) Evaluate(fs afero.Fs, name string, model *onnx.Model, output string, items []datasets.Item, opt ort.Options, progress func(done, total int)) (*Accuracy, error) {
	m := model.Clone()
	h, w := n.Manifest.Input.Size[0], n.Manifest.Input.Size[1]
	if err := m.SetInputShape(h, w); err != nil {
		return nil, err
	}
	data, err := m.Bytes()
	if err != nil {
		return nil, err
	}
	s, err := ort.NewSessionFromBytes(data, m.Input().GetName(), []string{output}, opt)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	acc := &Accuracy{Name: name, Provider: s.Provider}
	c := int64(len(n.Manifest.Input.Channels))
	shapes, err := m.Shapes([]int64{1, c, int64(h), int64(w)})
	if err != nil {
		return nil, err
	}
	if len(shapes[output]) < 2 {
		return nil, fmt.Errorf("the model has no output %q of class scores", output)
	}
	classes := 1
	for _, d := range shapes[output][1:] {
		classes *= int(d)
	}
	if err := datasets.CheckLabels(items, classes); err != nil {
		return nil, err
	}
	feed := n.Photos(fs, items, opt.BatchSize())
	defer feed.Close()
	done := 0
	for {
		b, ok := feed.Next()
		if !ok {
			break
		}
		res, err := s.Run(b.Data, []int64{int64(b.Size), c, int64(h), int64(w)})
		if err != nil {
			return nil, err
		}
		feed.Done(b)
		if got := len(res[0].Data); got != b.Size*classes {
			return nil, fmt.Errorf("output %s holds %d values for %d photos of %d classes", output, got, b.Size, classes)
		}
		for i := 0; i < b.K; i++ {
			probs := res[0].Data[i*classes : (i+1)*classes]
			rank := rankOf(probs, items[b.Start+i].Label)
			if rank == 0 {
				acc.Top1++
			}
			if rank < 5 {
				acc.Top5++
			}
		}
		done += b.K
		if progress != nil {
			progress(done, len(items))
		}
	}
	if err := feed.Err(); err != nil {
		return nil, err
	}
	if done != len(items) || done == 0 {
		return nil, fmt.Errorf("evaluated %d of %d photos", done, len(items))
	}
	acc.Images = done
	acc.Top1 /= float64(done)
	acc.Top5 /= float64(done)
	return acc, nil
}

// rankOf is how many classes score higher than label (ties broken by
// index).
func rankOf(scores []float32, label int) int {
	rank := 0
	for i, v := range scores {
		if v > scores[label] || v == scores[label] && i < label {
			rank++
		}
	}
	return rank
}
