package phoneinfo

import (
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Chinese mobiles are checked by their first 5 digits, 13000 to 19999: the
// allocated ranges in phonenumbers' metadata are 3-digit prefixes plus
// 17400-17405, so 5 digits decide every number there is today.
const (
	mobileFirst = 13000
	mobileCount = 7000
)

// States of a 5-digit mobile prefix.
const (
	stateInvalid uint8 = iota // no number with this prefix is valid
	stateValid                // every number with this prefix is a valid mobile
	stateAsk                  // samples disagreed: ask phonenumbers per number
)

// The table is built in blocks of one 3-digit prefix (100 entries), each on
// the first use of that prefix: a block costs 300 calls to phonenumbers,
// about 2 ms, and the whole table, 7 kB, about 150 ms.
var (
	blockOnce    [mobileCount / 100]sync.Once
	mobileStates [mobileCount]uint8

	carrierOnce [mobileCount / 100]sync.Once
	carriers    [mobileCount]uint8 // index into carrierValues
)

// mobileState returns the state of the 5-digit prefix of nsn, an 11-digit
// string starting with 1.
func mobileState(nsn string) uint8 {
	i := prefixIndex(nsn)
	if i < 0 {
		return stateInvalid
	}
	return mobileStates[i]
}

// prefixIndex returns the table index of nsn's first 5 digits, or -1; it
// builds that block of the table if it is the block's first use.
func prefixIndex[T string | []byte](nsn T) int {
	i := 0
	for k := range 5 {
		i = i*10 + int(nsn[k]-'0')
	}
	i -= mobileFirst
	if i < 0 || i >= mobileCount {
		return -1
	}
	b := i / 100
	blockOnce[b].Do(func() { buildBlock(b) })
	return i
}

// buildBlock asks phonenumbers about three numbers in each 5-digit prefix
// of block b; its regular expressions are the ground truth.
func buildBlock(b int) {
	for i := b * 100; i < (b+1)*100; i++ {
		base := uint64(mobileFirst+i) * 1_000_000
		n := 0
		for _, tail := range [...]uint64{0, 555_555, 999_999} {
			if isMobile(base + tail) {
				n++
			}
		}
		switch n {
		case 0:
			mobileStates[i] = stateInvalid
		case 3:
			mobileStates[i] = stateValid
		default:
			mobileStates[i] = stateAsk
		}
	}
}

// isMobile reports whether the Chinese national number nn is a valid mobile.
func isMobile(nn uint64) bool {
	cc := int32(86)
	return phonenumbers.GetNumberType(&phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nn}) == phonenumbers.MOBILE
}

// fastMobile normalises the common case without the general parser: an
// 11-digit Chinese mobile, with or without 86, +86 or 0086, with spaces or
// dashes. ok is false for anything else, which the general path decides.
// raw itself is returned when it is already normalised, so that case does
// not allocate; otherwise the result is a new 11-byte string, never a
// substring of raw (which may pin a large import buffer).
func fastMobile(raw string) (s string, ok bool) {
	var buf [16]byte
	n, plus := 0, false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c >= '0' && c <= '9':
			if n == len(buf) {
				return "", false
			}
			buf[n] = c
			n++
		case c == ' ' || c == '-' || c == '\t':
		case c == '+' && n == 0 && !plus:
			plus = true
		default:
			return "", false
		}
	}
	d := buf[:n]
	switch {
	case n == 11 && !plus:
	case n == 13 && d[0] == '8' && d[1] == '6':
		d = d[2:]
	case n == 15 && !plus && d[0] == '0' && d[1] == '0' && d[2] == '8' && d[3] == '6':
		d = d[4:]
	default:
		return "", false
	}
	if d[0] != '1' {
		return "", false
	}
	if i := prefixIndex(d); i < 0 || mobileStates[i] != stateValid {
		return "", false
	}
	if len(raw) == 11 {
		return raw, true
	}
	return string(d), true
}

// mobileCarrier returns the Carrier* value for nsn, a valid Chinese mobile.
func mobileCarrier(nsn string) string {
	i := prefixIndex(nsn)
	if i < 0 {
		return ""
	}
	b := i / 100
	carrierOnce[b].Do(func() { buildCarriers(b) })
	return carrierValues[carriers[i]]
}

// carrierValues are the values of Info.Carrier; carriers holds indexes.
var carrierValues = [...]string{"", CarrierMobile, CarrierUnicom, CarrierTelecom, CarrierBroadnet, CarrierVirtual}

// carrierNames maps phonenumbers' English carrier names to carrierValues.
var carrierNames = map[string]uint8{
	"China Mobile":   1,
	"China Unicom":   2,
	"China Telecom":  3,
	"China Broadnet": 4,
}

// virtualBlocks are the MVNO ranges, as block numbers (prefix - 130).
// phonenumbers names the host network for some (170x, 171, 167) and nothing
// for 162 and 165; outdial reports them all as CarrierVirtual.
var virtualBlocks = map[int]bool{162 - 130: true, 165 - 130: true, 167 - 130: true, 170 - 130: true, 171 - 130: true}

// buildCarriers reads phonenumbers' carrier data for each 5-digit prefix
// of block b (its finest Chinese entries are 4 digits long). The first call
// loads that data, about 10 ms and 1.7 MB of heap held by phonenumbers.
func buildCarriers(b int) {
	for i := b * 100; i < (b+1)*100; i++ {
		switch {
		case mobileStates[i] == stateInvalid:
		case virtualBlocks[b]:
			carriers[i] = 5
		default:
			cc, nn := int32(86), uint64(mobileFirst+i)*1_000_000
			name, _ := phonenumbers.GetCarrierForNumber(&phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nn}, "en")
			carriers[i] = carrierNames[name]
		}
	}
}
