package reference

import (
	"fmt"
	"runtime"
	"sort"
	"sync"

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

// BatchSize is the number of photos run at once.
const BatchSize = 16

// Inputs decodes and preprocesses photos for the model, in parallel, in
// order: batch i holds items [i·BatchSize, (i+1)·BatchSize).
func (n *Net) Inputs(fs afero.Fs, items []datasets.Item) (<-chan []float32, <-chan error) {
	out := make(chan []float32, 2)
	errc := make(chan error, 1)
	go func() {
		defer close(out)
		for start := 0; start < len(items); start += BatchSize {
			batch := items[start:min(start+BatchSize, len(items))]
			per := len(n.Manifest.Input.Channels) * n.Manifest.Input.Size[0] * n.Manifest.Input.Size[1]
			data := make([]float32, len(batch)*per)
			var wg sync.WaitGroup
			var mu sync.Mutex
			var first error
			sem := make(chan struct{}, runtime.NumCPU())
			for i, it := range batch {
				wg.Add(1)
				sem <- struct{}{}
				go func(i int, it datasets.Item) {
					defer wg.Done()
					defer func() { <-sem }()
					img, err := datasets.Decode(fs, it.Path)
					var x []float32
					if err == nil {
						x, err = n.Manifest.Preprocess(img)
					}
					if err != nil {
						mu.Lock()
						if first == nil {
							first = err
						}
						mu.Unlock()
						return
					}
					copy(data[i*per:], x)
				}(i, it)
			}
			wg.Wait()
			if first != nil {
				errc <- first
				return
			}
			out <- data
		}
	}()
	return out, errc
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
	batches, errc := n.Inputs(fs, items)
	done := 0
	c := int64(len(n.Manifest.Input.Channels))
	for batch := range batches {
		k := len(batch) / int(c*int64(h*w))
		res, err := s.Run(batch, []int64{int64(k), c, int64(h), int64(w)})
		if err != nil {
			return nil, err
		}
		classes := len(res[0].Data) / k
		if done == 0 {
			if err := datasets.CheckLabels(items, classes); err != nil {
				return nil, err
			}
		}
		for i := 0; i < k; i++ {
			probs := res[0].Data[i*classes : (i+1)*classes]
			rank := rankOf(probs, items[done+i].Label)
			if rank == 0 {
				acc.Top1++
			}
			if rank < 5 {
				acc.Top5++
			}
		}
		done += k
		if progress != nil {
			progress(done, len(items))
		}
	}
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	if done != len(items) || done == 0 {
		return nil, fmt.Errorf("evaluated %d of %d photos", done, len(items))
	}
	acc.Images = done
	acc.Top1 /= float64(done)
	acc.Top5 /= float64(done)
	return acc, nil
}

// rankOf is how many classes score higher than label (ties broken by index).
func rankOf(scores []float32, label int) int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	for r, i := range idx {
		if i == label {
			return r
		}
	}
	return len(scores)
}
