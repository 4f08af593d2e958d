package autocall

import (
	"context"
	"sync"

	"github.com/outdial/outdial"
)

// extIDs finds the external ids of the contacts of a page of CDRs (userData.extId). A
// contact's external id never changes, so they are remembered (up to a bound); the ones
// not remembered are read from the store a few at a time in parallel.
type extIDs struct {
	store outdial.ContactStore
	max   int // remembered contacts; 0: none

	mu    sync.Mutex
	known map[contactKey]string
}

type contactKey struct{ tenant, contact int64 }

// lookups bounds the contact reads in flight for one page.
const lookups = 8

func newExtIDs(s outdial.ContactStore, max int) *extIDs {
	return &extIDs{store: s, max: max, known: map[contactKey]string{}}
}

// find returns the external id of each call's contact, by contact id ("" for a contact
// that no longer exists: CDRs outlive their contacts).
func (x *extIDs) find(ctx context.Context, tenantID int64, calls []*outdial.Call) (map[int64]string, error) {
	out := make(map[int64]string, len(calls))
	var missing []int64
	x.mu.Lock()
	for _, c := range calls {
		if _, done := out[c.ContactID]; done || c.ContactID == 0 {
			continue
		}
		if id, ok := x.known[contactKey{tenantID, c.ContactID}]; ok {
			out[c.ContactID] = id
		} else {
			out[c.ContactID] = ""
			missing = append(missing, c.ContactID)
		}
	}
	x.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	found := make([]string, len(missing))
	errs := make([]error, len(missing))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(lookups, len(missing)) {
		wg.Go(func() {
			for i := range next {
				c, err := x.store.Contact(ctx, tenantID, missing[i])
				switch {
				case err == nil:
					found[i] = c.ExternalID
				case outdial.ErrorCode(err) != outdial.ENOTFOUND:
					errs[i] = err
				}
			}
		})
	}
	for i := range missing {
		next <- i
	}
	close(next)
	wg.Wait()
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, id := range missing {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out[id] = found[i]
		x.keep(tenantID, id, found[i])
	}
	return out, nil
}

// remember notes a contact's external id seen elsewhere (the notifier sees every call
// that ends with its contact), so searches of recent calls need not read it.
func (x *extIDs) remember(tenantID, contactID int64, extID string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.keep(tenantID, contactID, extID)
}

// keep stores one external id, emptying the cache when it is full (simple and bounded;
// the next pages fill it again). The caller holds mu.
func (x *extIDs) keep(tenantID, contactID int64, extID string) {
	if x.max <= 0 {
		return
	}
	if len(x.known) >= x.max {
		clear(x.known)
	}
	x.known[contactKey{tenantID, contactID}] = extID
}
