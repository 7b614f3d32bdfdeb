package runtime

import (
	"errors"
	"testing"
)

// TestFeedOrderSizesAndErrors: a feed hands out every input once, in
// order, in batches of the one size (the last too), reusing at most
// ahead+1 buffers; a failing fill ends it with that error; a caller that
// stops early can close it.
func TestFeedOrderSizesAndErrors(t *testing.T) {
	const n, size, width = 45, 8, 3
	f := NewFeed(n, size, width, func(i int, dst []float32) error {
		for k := range dst {
			dst[k] = float32(i*width + k)
		}
		return nil
	})
	next, buffers := 0, map[*float32]bool{}
	for {
		b, ok := f.Next()
		if !ok {
			break
		}
		if b.Start != next || b.Size != size || len(b.Data) != size*width || b.K != min(size, n-next) {
			t.Fatalf("batch at %d: start %d, %d of %d, %d values", next, b.Start, b.K, b.Size, len(b.Data))
		}
		for k := 0; k < b.K*width; k++ {
			if b.Data[k] != float32(next*width+k) {
				t.Fatalf("input %d holds %v", next+k/width, b.Data[k])
			}
		}
		buffers[&b.Data[0]] = true
		next += b.K
		f.Done(b)
	}
	if f.Err() != nil || next != n {
		t.Fatalf("%d inputs of %d, error %v", next, n, f.Err())
	}
	if len(buffers) > ahead+1 {
		t.Errorf("%d buffers for %d batches", len(buffers), (n+size-1)/size)
	}
	bad := errors.New("photo 13 is unreadable")
	f = NewFeed(n, size, width, func(i int, dst []float32) error {
		if i == 13 {
			return bad
		}
		return nil
	})
	got := 0
	for {
		b, ok := f.Next()
		if !ok {
			break
		}
		got += b.K
		f.Done(b)
	}
	if f.Err() != bad || got != 8 {
		t.Errorf("after a failing fill: %d inputs, error %v", got, f.Err())
	}
	f = NewFeed(1000, 1, width, func(int, []float32) error { return nil })
	if _, ok := f.Next(); !ok {
		t.Fatal("no first batch")
	}
	f.Close()
	f.Close()
}
