package phoneinfo

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
)

// phonenumbers' geocoding looks a number up by at most 9 digits of its E.164 form, so the
// place of a Chinese mobile (86 + 11 digits) is decided by its first 7 national digits.
// mobileplaces.bin.gz holds that place for every 7-digit prefix from 1300000 to 1999999,
// as locate computes it from phonenumbers' data: Lookup reads a mobile's place from it
// instead of asking phonenumbers, which would cost about 3 µs per number and load 22 MB
// of geocoding data (the Chinese and, for the numbers it does not cover, the English).
// Decoded on first use (5 ms), the table takes 1.4 MB. TestMobilePlaceTable checks it
// against phonenumbers and rewrites it with -update (after a phonenumbers upgrade).
//
//go:generate go test -run TestMobilePlaceTable -update
//go:embed mobileplaces.bin.gz
var mobilePlacesData []byte

// placeFirst is the first 7-digit prefix in the table; it has mobileCount*100 entries.
const placeFirst = mobileFirst * 100

// placeTable is the decoded mobileplaces.bin.gz.
type placeTable struct {
	places []place  // places[0] is place{}, no location
	index  []uint16 // per 7-digit prefix from placeFirst: an index in places
}

var mobilePlaces = sync.OnceValue(func() *placeTable {
	t, err := decodePlaces(mobilePlacesData)
	if err != nil {
		panic("phoneinfo: mobileplaces.bin.gz: " + err.Error())
	}
	return t
})

// mobilePlace returns locate(nsn) for nsn, a valid 11-digit Chinese mobile.
func mobilePlace(nsn string) place {
	p := 0
	for k := range 7 {
		p = p*10 + int(nsn[k]-'0')
	}
	t := mobilePlaces()
	if p -= placeFirst; p < 0 || p >= len(t.index) {
		return locate(nsn)
	}
	return t.places[t.index[p]]
}

// The table's format, gzipped: the number of places (uvarint), each place as its name
// and its area code (uvarint length, then the bytes), then one little-endian uint16 per
// 7-digit prefix: its place's index.

// encodePlaces returns t in the table's format.
func encodePlaces(t *placeTable) []byte {
	var raw []byte
	raw = binary.AppendUvarint(raw, uint64(len(t.places)))
	for _, p := range t.places {
		for _, s := range []string{p.name, p.code} {
			raw = binary.AppendUvarint(raw, uint64(len(s)))
			raw = append(raw, s...)
		}
	}
	for _, k := range t.index {
		raw = binary.LittleEndian.AppendUint16(raw, k)
	}
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	w.Write(raw)
	w.Close()
	return b.Bytes()
}

// decodePlaces reads a table written by encodePlaces.
func decodePlaces(data []byte) (*placeTable, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	r := bytes.NewReader(raw)
	n, err := binary.ReadUvarint(r)
	if err != nil || n == 0 || n > 1<<16 {
		return nil, fmt.Errorf("bad place count %d (%v)", n, err)
	}
	t := &placeTable{places: make([]place, n), index: make([]uint16, mobileCount*100)}
	for i := range t.places {
		var s [2]string
		for j := range s {
			l, err := binary.ReadUvarint(r)
			if err != nil || l > uint64(r.Len()) {
				return nil, fmt.Errorf("bad place %d", i)
			}
			b := make([]byte, l)
			r.Read(b)
			s[j] = string(b)
		}
		t.places[i] = place{name: s[0], code: s[1]}
	}
	rest := raw[len(raw)-r.Len():]
	if len(rest) != 2*len(t.index) {
		return nil, fmt.Errorf("%d bytes of prefixes, want %d", len(rest), 2*len(t.index))
	}
	for i := range t.index {
		if t.index[i] = binary.LittleEndian.Uint16(rest[2*i:]); int(t.index[i]) >= len(t.places) {
			return nil, fmt.Errorf("prefix %d: place %d of %d", placeFirst+i, t.index[i], len(t.places))
		}
	}
	return t, nil
}

// buildPlaces computes the table from phonenumbers (about 2.5 s): the place of each
// 7-digit prefix of a 5-digit prefix that holds valid mobiles, place{} for the others.
func buildPlaces() *placeTable {
	t := &placeTable{places: []place{{}}, index: make([]uint16, mobileCount*100)}
	known := map[place]uint16{{}: 0}
	for i := range t.index {
		p := placeFirst + i
		if mobileStates[prefixIndex(fmt.Sprint(p))] == stateInvalid {
			continue
		}
		loc := locate(fmt.Sprint(p, "0000"))
		k, ok := known[loc]
		if !ok {
			k = uint16(len(t.places))
			known[loc] = k
			t.places = append(t.places, loc)
		}
		t.index[i] = k
	}
	return t
}
