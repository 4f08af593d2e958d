package sqlstore

import (
	"hash/fnv"
	"math/bits"
	"slices"
)

// On SQLite a batch's numbers are kept unique through the table contact_keys (batch_id,
// k), k being phoneKey of the number, rather than a unique index of contacts: a large
// import keeps its batch's keys in memory (keySet) and writes the new ones at its end,
// in order, where a unique index would take each number at a random place of a B-tree
// of up to millions of entries (the larger part of an import's cost, BENCHMARKS.md).

// phoneKey is the integer key of a normalised number: its digits after a marker digit,
// 1 for national numbers ("18851498762" is 118851498762) and 2 for "+" numbers, which is
// one-to-one for numbers of up to 17 digits. Anything else (not made by phoneinfo) gets
// a hash with the top bit clear and the next one set, which no number's key reaches.
// Keys are never 0 and never have the top bit set (keySet uses both).
func phoneKey(phone string) int64 {
	digits, marker := phone, int64(1)
	if len(digits) > 0 && digits[0] == '+' {
		digits, marker = digits[1:], 2
	}
	if len(digits) == 0 || len(digits) > 17 {
		return hashKey(phone)
	}
	k := marker
	for i := 0; i < len(digits); i++ {
		d := digits[i] - '0'
		if d > 9 {
			return hashKey(phone)
		}
		k = k*10 + int64(d)
	}
	return k
}

func hashKey(phone string) int64 {
	h := fnv.New64a()
	h.Write([]byte(phone))
	return int64(h.Sum64()>>2 | 1<<62)
}

// keySet is a set of keys (open addressing, linear probing) that marks the keys added
// as new, so that the new ones can be written at the end of an import.
type keySet struct {
	slots []uint64 // 0: empty; key | newKey
	n     int
}

const newKey = 1 << 63

func newKeySet(hint int) *keySet {
	size := 1024
	for size*3/4 < hint {
		size *= 2
	}
	return &keySet{slots: make([]uint64, size)}
}

func (s *keySet) slot(k uint64) int {
	return int((k * 0x9e3779b97f4a7c15) >> (64 - bits.Len(uint(len(s.slots)-1))))
}

// add adds k, marked new when fresh is set; false if k was there.
func (s *keySet) add(k int64, fresh bool) bool {
	if (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	v := uint64(k)
	mask := len(s.slots) - 1
	for i := s.slot(v); ; i = (i + 1) & mask {
		switch cur := s.slots[i]; {
		case cur == 0:
			if fresh {
				v |= newKey
			}
			s.slots[i] = v
			s.n++
			return true
		case cur&^newKey == v:
			return false
		}
	}
}

// has reports whether k is in the set.
func (s *keySet) has(k int64) bool {
	v := uint64(k)
	mask := len(s.slots) - 1
	for i := s.slot(v); ; i = (i + 1) & mask {
		switch cur := s.slots[i]; {
		case cur == 0:
			return false
		case cur&^newKey == v:
			return true
		}
	}
}

// remove takes k out of the set and reports whether it was there and marked new.
func (s *keySet) remove(k int64) (found, fresh bool) {
	v := uint64(k)
	mask := len(s.slots) - 1
	i := s.slot(v)
	for ; ; i = (i + 1) & mask {
		cur := s.slots[i]
		if cur == 0 {
			return false, false
		}
		if cur&^newKey == v {
			fresh = cur&newKey != 0
			break
		}
	}
	// Backward-shift deletion: move later entries of the run into the hole when their
	// home slot allows it.
	s.slots[i] = 0
	s.n--
	for j := (i + 1) & mask; s.slots[j] != 0; j = (j + 1) & mask {
		home := s.slot(s.slots[j] &^ newKey)
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			s.slots[i], s.slots[j] = s.slots[j], 0
			i = j
		}
	}
	return true, fresh
}

func (s *keySet) grow() {
	old := s.slots
	s.slots = make([]uint64, len(old)*2)
	mask := len(s.slots) - 1
	for _, v := range old {
		if v == 0 {
			continue
		}
		i := s.slot(v &^ newKey)
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = v
	}
}

// takeNew returns the keys marked new, in ascending order, and empties the set (the
// keys are sorted in the set's own memory).
func (s *keySet) takeNew() []uint64 {
	out := s.slots[:0]
	for _, v := range s.slots {
		if v&newKey != 0 {
			out = append(out, v&^newKey)
		}
	}
	slices.Sort(out)
	s.slots, s.n = nil, 0
	return out
}
