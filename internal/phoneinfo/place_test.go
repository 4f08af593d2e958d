package phoneinfo

import (
	"flag"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite mobileplaces.bin.gz from phonenumbers' data")

// The embedded place table must say, for every 7-digit mobile prefix, what phonenumbers'
// data says for a whole number with that prefix. After a phonenumbers upgrade, rewrite it
// with go test -run TestMobilePlaceTable -update.
func TestMobilePlaceTable(t *testing.T) {
	if testing.Short() && !*update {
		t.Skip("walks every 7-digit mobile prefix (2.5 s)")
	}
	want := buildPlaces()
	if *update {
		if err := os.WriteFile("mobileplaces.bin.gz", encodePlaces(want), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d places for %d prefixes", len(want.places), len(want.index))
		return
	}
	got := mobilePlaces()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range want.index {
		if w, g := want.places[want.index[i]], got.places[got.index[i]]; w != g {
			t.Fatalf("prefix %d: table says %+v, phonenumbers %+v (run go test -run TestMobilePlaceTable -update)", placeFirst+i, g, w)
		}
		if want.index[i] == 0 {
			continue
		}
		nsn := strconv.Itoa(placeFirst+i) + strconv.Itoa(1000+rng.IntN(9000))
		if g, w := mobilePlace(nsn), locate(nsn); g != w {
			t.Fatalf("mobilePlace(%s) = %+v; locate says %+v", nsn, g, w)
		}
	}
	t.Logf("%d places, %d prefixes", len(got.places), len(got.index))
}

func TestPlaceTableRoundTrip(t *testing.T) {
	in := &placeTable{places: []place{{}, {name: "江苏 连云港", code: "0518"}, {name: "北京 北京", code: "010"}},
		index: make([]uint16, mobileCount*100)}
	for i := range in.index {
		in.index[i] = uint16(i % 3)
	}
	out, err := decodePlaces(encodePlaces(in))
	if err != nil {
		t.Fatal(err)
	}
	for i := range in.index {
		if in.places[in.index[i]] != out.places[out.index[i]] {
			t.Fatalf("prefix %d: %+v became %+v", i, in.places[in.index[i]], out.places[out.index[i]])
		}
	}
	if _, err := decodePlaces([]byte("not gzip")); err == nil {
		t.Error("decoded garbage")
	}
}
