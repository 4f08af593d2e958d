package phoneinfo

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{"mobile plain", "18851498762", "18851498762"},
		{"mobile spaces", "188 5149 8762", "18851498762"},
		{"mobile dashes", "188-5149-8762", "18851498762"},
		{"mobile +86", "+8618851498762", "18851498762"},
		{"mobile 86", "8618851498762", "18851498762"},
		{"mobile +86 spaced", "+86 188 5149 8762", "18851498762"},
		{"mobile 0086", "008618851498762", "18851498762"},
		{"mobile (+86)", "(+86)18851498762", "18851498762"},
		{"mobile padded", " \t18851498762 \n", "18851498762"},
		{"mobile full-width", "１８８５１４９８７６２", "18851498762"},
		{"mobile full-width plus and space", "＋８６　１８８５１４９８７６２", "18851498762"},
		{"mobile dots", "188.5149.8762", "18851498762"},
		{"mobile with trunk 0", "018851498762", "18851498762"},
		{"mobile carrier prefix 17951", "17951 13812345678", "13812345678"},
		{"mobile satellite 17400", "17400123456", "17400123456"},
		{"mobile 192 broadnet", "19212345678", "19212345678"},
		{"landline shenzhen", "0755-12345678", "075512345678"},
		{"landline shenzhen brackets", "(0755) 1234 5678", "075512345678"},
		{"landline +86 without 0", "+86 755 1234 5678", "075512345678"},
		{"landline +86 with 0", "+86 0755 12345678", "075512345678"},
		{"landline 86 without +", "8675512345678", "075512345678"},
		{"landline beijing", "010-12345678", "01012345678"},
		{"landline beijing 0086", "0086 10 1234 5678", "01012345678"},
		{"landline 7-digit subscriber", "0319-2345678", "03192345678"},
		{"landline service number", "010 95555", "01095555"},
		{"us e164", "+1 415 555 2671", "+14155552671"},
		{"us 00", "001 (415) 555-2671", "+14155552671"},
		{"uk e164", "+44 20 7946 0958", "+442079460958"},
		{"hong kong", "+852 2123 4567", "+85221234567"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.raw)
			if err != nil || got != tt.want {
				t.Fatalf("Normalize(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
			}
			again, err := Normalize(got)
			if err != nil || again != got {
				t.Fatalf("Normalize(%q) = %q, %v; not stable", got, again, err)
			}
		})
	}
}

func TestNormalizeRejects(t *testing.T) {
	tests := []struct {
		name, raw, why string
	}{
		{"empty", "", "is empty"},
		{"blank", "   ", "is empty"},
		{"punctuation only", "--", "has no digits"},
		{"letters", "1885149876a", "contains letters"},
		{"extension", "+86 188 5149 8762 ext 1", "contains letters"},
		{"too short", "123", "too short"},
		{"too long", "188514987621885149876218851498762", "too long"},
		{"mobile one digit short", "1885149876", "has 10 digits"},
		{"mobile one digit long", "188514987622", "has 12 digits"},
		{"landline 8-digit code, 7 digits", "0518-2345678", "not a valid Chinese landline"},
		{"landline without trunk 0", "75512345678", "needs its area code with the leading 0"},
		{"unallocated 146", "14612345678", "prefix 146"},
		{"unallocated 174 outside 17400-17405", "17412345678", "prefix 174"},
		{"unallocated 194", "19412345678", "prefix 194"},
		{"unknown area code", "0330-1234567", "not a valid Chinese landline"},
		{"shared cost 400", "+86 400-123-4567", "SHARED_COST"},
		{"toll free 800", "0086 800 123 4567", "TOLL_FREE"},
		{"400 without country code", "400-123-4567", "SHARED_COST"},
		{"us without plus", "4155552671", "needs + or 00"},
		{"invalid us", "+1 415 555 267", "not a valid number"},
		{"unknown country", "+999 1234 5678", "not a valid number"},
		{"plus in the middle", "188+51498762", "has a +"},
		{"odd character", "188*5149*8762", "contains"},
		{"long garbage is cut in the message", strings.Repeat("号", 30), "号..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.raw)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Normalize(%q) = %q, %v; want ErrInvalid", tt.raw, got, err)
			}
			if !strings.Contains(err.Error(), tt.why) || !strings.HasPrefix(err.Error(), "phone: ") {
				t.Errorf("Normalize(%q) error %q does not say %q", tt.raw, err, tt.why)
			}
			if _, lerr := Lookup(tt.raw); !errors.Is(lerr, ErrInvalid) {
				t.Errorf("Lookup(%q) error = %v; want ErrInvalid", tt.raw, lerr)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want Info
	}{
		{"china mobile jiangsu", "+86 188 5149 8762", Info{
			Number: "18851498762", E164: "+8618851498762", Country: "CN", Type: TypeMobile,
			Carrier: CarrierMobile, AreaCode: "0518", AreaName: "江苏 连云港"}},
		{"unicom beijing", "13001234567", Info{
			Number: "13001234567", E164: "+8613001234567", Country: "CN", Type: TypeMobile,
			Carrier: CarrierUnicom, AreaCode: "010", AreaName: "北京 北京"}},
		{"telecom guangzhou", "18902212345", Info{
			Number: "18902212345", E164: "+8618902212345", Country: "CN", Type: TypeMobile,
			Carrier: CarrierTelecom, AreaCode: "020", AreaName: "广东 广州"}},
		{"broadnet, no location data for 19x", "19200012345", Info{
			Number: "19200012345", E164: "+8619200012345", Country: "CN", Type: TypeMobile,
			Carrier: CarrierBroadnet}},
		{"virtual 170", "17001234567", Info{
			Number: "17001234567", E164: "+8617001234567", Country: "CN", Type: TypeMobile,
			Carrier: CarrierVirtual, AreaCode: "010", AreaName: "北京 北京"}},
		{"autonomous prefecture, code fixed by extras", "13900031234", Info{
			Number: "13900031234", E164: "+8613900031234", Country: "CN", Type: TypeMobile,
			Carrier: CarrierMobile, AreaCode: "0999", AreaName: "新疆 伊犁"}},
		{"city the landline data lacks", "15677512345", Info{
			Number: "15677512345", E164: "+8615677512345", Country: "CN", Type: TypeMobile,
			Carrier: CarrierUnicom, AreaCode: "0775", AreaName: "广西 贵港"}},
		{"city the landline data misspells", "13077012345", Info{
			Number: "13077012345", E164: "+8613077012345", Country: "CN", Type: TypeMobile,
			Carrier: CarrierUnicom, AreaCode: "0731", AreaName: "湖南 株洲"}},
		{"shenzhen landline", "0755-1234 5678", Info{
			Number: "075512345678", E164: "+8675512345678", Country: "CN", Type: TypeFixed,
			AreaCode: "0755", AreaName: "广东 深圳"}},
		{"beijing landline", "+86 10 6552 9988", Info{
			Number: "01065529988", E164: "+861065529988", Country: "CN", Type: TypeFixed,
			AreaCode: "010", AreaName: "北京 北京"}},
		{"shenyang landline, shared code", "024-23456789", Info{
			Number: "02423456789", E164: "+862423456789", Country: "CN", Type: TypeFixed,
			AreaCode: "024", AreaName: "辽宁 沈阳"}},
		{"us number", "+1 415-555-2671", Info{
			Number: "+14155552671", E164: "+14155552671", Country: "US", Type: TypeFixedOrMobile,
			AreaName: "San Francisco, CA"}},
		{"uk mobile", "+44 7400 123456", Info{
			Number: "+447400123456", E164: "+447400123456", Country: "GB", Type: TypeMobile,
			AreaName: "英国"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Lookup(tt.raw)
			if err != nil || got != tt.want {
				t.Fatalf("Lookup(%q)\n got %+v, %v\nwant %+v", tt.raw, got, err, tt.want)
			}
		})
	}
}

func TestLookupConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				raw := []string{"18851498762", "075512345678", "+14155552671"}[(g+i)%3]
				if _, err := Lookup(raw); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"18851498762", "+86 188 5149 8762", "008618851498762", "(+86)18851498762",
		"0755-12345678", "+86 755 1234 5678", "010 6552 9988", "+14155552671",
		"17951 13812345678", "１８８５１４９８７６２", "", "abc", "14612345678", "+0086 1",
		"8675512345678", "0086 0 10 1234", "400 123 4567", "＋８６ ７５５ １２３４ ５６７８",
		"010 95555", "+44 20 7946 0958", "00852 2123 4567",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		norm, err := Normalize(raw)
		info, lerr := Lookup(raw)
		if (err == nil) != (lerr == nil) {
			t.Fatalf("Normalize(%q) err %v but Lookup err %v", raw, err, lerr)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Normalize(%q) error %v does not wrap ErrInvalid", raw, err)
			}
			return
		}
		if info.Number != norm {
			t.Fatalf("Lookup(%q).Number = %q, Normalize = %q", raw, info.Number, norm)
		}
		again, err := Normalize(norm)
		if err != nil || again != norm {
			t.Fatalf("Normalize(%q) = %q; Normalize of that = %q, %v", raw, norm, again, err)
		}
		if pn, err := phonenumbers.Parse(info.E164, "ZZ"); err != nil || !phonenumbers.IsValidNumber(pn) {
			t.Fatalf("Normalize(%q) = %q, but phonenumbers says %s is not valid (%v)", raw, norm, info.E164, err)
		}
	})
}

var sink string

func BenchmarkNormalize(b *testing.B) {
	for _, bb := range []struct{ name, raw string }{
		{"mobile", "18851498762"},
		{"mobile+86spaced", "+86 188 5149 8762"},
		{"mobile0086", "008618851498762"},
		{"landline", "0755-12345678"},
		{"foreign", "+14155552671"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := Normalize(bb.raw)
				if err != nil {
					b.Fatal(err)
				}
				sink = s
			}
		})
	}
}

func BenchmarkLookup(b *testing.B) {
	for _, bb := range []struct{ name, raw string }{
		{"mobile", "18851498762"},
		{"landline", "0755-12345678"},
		{"foreign", "+14155552671"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				info, err := Lookup(bb.raw)
				if err != nil {
					b.Fatal(err)
				}
				sink = info.AreaName
			}
		})
	}
}

// BenchmarkLookupUpload looks up the numbers of a large upload: 1,000,000 random mobiles
// of the common prefixes, so most 7-digit prefixes come back many times.
func BenchmarkLookupUpload(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	prefixes := []string{"130", "135", "138", "139", "150", "158", "177", "186", "188", "199"}
	nums := make([]string, 1_000_000)
	for i := range nums {
		nums[i] = prefixes[rng.IntN(len(prefixes))] + strconv.Itoa(10_000_000+rng.IntN(90_000_000))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		info, err := Lookup(nums[i%len(nums)])
		if err != nil {
			b.Fatal(err)
		}
		sink = info.AreaName
		i++
	}
}
