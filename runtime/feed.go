package runtime

import (
	"runtime"
	"sync"
)

// Batch is one batch of inputs: Data holds Size inputs of the feed's
// width each, of which the first K are inputs Start … Start+K−1; the rest
// hold what the buffer held before (callers run them and never read
// their outputs, so that a session sees one input shape).
type Batch struct {
	Data     []float32
	Start, K int
	Size     int
}

// Feed prepares inputs in batches, in parallel, ahead of the session that
// runs them: one worker per CPU fills inputs, and a few buffers go round
// (the workers fill one while the session reads another), so that neither
// allocation nor rendering or decoding waits on the critical path.
type Feed struct {
	batches chan *Batch
	free    chan []float32
	quit    chan struct{}
	once    sync.Once
	err     error
}

// ahead is how many batches a feed may prepare while its caller runs one.
const ahead = 2

// NewFeed starts filling n inputs of width values each, in batches of
// size: fill(i, dst) writes input i into dst (len width).
func NewFeed(n, size, width int, fill func(i int, dst []float32) error) *Feed {
	size = max(1, min(size, n))
	f := &Feed{batches: make(chan *Batch, ahead), free: make(chan []float32, ahead+1), quit: make(chan struct{})}
	for i := 0; i < ahead+1; i++ {
		f.free <- make([]float32, size*width)
	}
	go func() {
		defer close(f.batches)
		workers := runtime.NumCPU()
		for start := 0; start < n; start += size {
			b := &Batch{Start: start, K: min(size, n-start), Size: size}
			select {
			case b.Data = <-f.free:
			case <-f.quit:
				return
			}
			next := make(chan int, b.K)
			for j := 0; j < b.K; j++ {
				next <- j
			}
			close(next)
			var wg sync.WaitGroup
			var mu sync.Mutex
			var first error
			for range min(workers, b.K) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for j := range next {
						if err := fill(start+j, b.Data[j*width:(j+1)*width]); err != nil {
							mu.Lock()
							if first == nil {
								first = err
							}
							mu.Unlock()
						}
					}
				}()
			}
			wg.Wait()
			if first != nil {
				f.err = first
				return
			}
			select {
			case f.batches <- b:
			case <-f.quit:
				return
			}
		}
	}()
	return f
}

// Next waits for the next batch; false when there is none left, or when
// filling one failed (Err says why).
func (f *Feed) Next() (*Batch, bool) {
	b, ok := <-f.batches
	return b, ok
}

// Done hands a batch's buffer back for refilling.
func (f *Feed) Done(b *Batch) { f.free <- b.Data }

// Err is the first error of a fill, once Next has returned false.
func (f *Feed) Err() error { return f.err }

// Close stops the workers; a caller that stops early must call it.
func (f *Feed) Close() {
	f.once.Do(func() {
		close(f.quit)
		for range f.batches {
		}
	})
}
