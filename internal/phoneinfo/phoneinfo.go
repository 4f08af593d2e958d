// Package phoneinfo normalises, validates and locates phone numbers for
// outdial: Chinese mobiles and landlines in national form, everything else
// in E.164.
//
// Normalised forms (the storage and dedupe key):
//
//   - Chinese mobile: 11 national digits, "18851498762".
//   - Chinese landline: national form with the trunk 0, "075512345678".
//   - any other country: E.164 with "+", "+14155552671".
//
// Input may carry spaces, dashes, dots, brackets, full-width digits and a
// 86, +86 or 0086 prefix. A number without "+" or "00" that does not look
// Chinese is still read as a Chinese national number (default region CN),
// so a foreign number must be written with "+" or the "00" prefix to pass.
// Chinese numbers other than mobiles and landlines (400, 800, premium and
// short numbers) are rejected: outdial cannot dial them as contacts.
//
// Validity follows github.com/nyaruka/phonenumbers (IsValidNumber); the
// common case, an 11-digit Chinese mobile, is checked by a table built from
// that library's metadata, without calling its parser.
//
// Cost of first use, measured on the 2-core development machine: Normalize
// builds its 7 kB table in 100-prefix blocks, about 2 ms each on first use
// of a block. Lookup of a mobile reads its place from a table embedded in
// this package (mobileplaces.bin.gz, decoded on first use: 5 ms, 1.4 MB)
// and makes phonenumbers load its carrier data (1.8 MB, 5 ms). A landline
// or foreign number makes phonenumbers load its geocoding data, which that
// library keeps for the life of the process: Chinese (7 MB of heap, 35 ms)
// and, for a number the Chinese data does not cover (any foreign number),
// English (14.6 MB, 90 ms). The area-code table adds about 150 kB.
package phoneinfo

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Info is what outdial knows about one phone number.
type Info struct {
	Number   string // normalised storage/dedupe form, see the package doc
	E164     string // "+8618851498762"
	Country  string // ISO 3166 region, "CN"
	Type     string // one of the Type* constants
	Carrier  string // one of the Carrier* constants, "" when unknown or not Chinese
	AreaCode string // Chinese area code with trunk 0 ("0518"), for landlines and mobiles; "" when unknown
	AreaName string // "省 市" ("江苏 连云港", "北京 北京"); for other countries the library's description, often English
}

// Values of Info.Type. Chinese numbers are only ever TypeMobile or
// TypeFixed; the others come from phonenumbers for foreign numbers (the
// US and Canada, for example, are TypeFixedOrMobile).
const (
	TypeMobile        = "MOBILE"
	TypeFixed         = "FIXED"
	TypeFixedOrMobile = "FIXED_OR_MOBILE"
	TypeTollFree      = "TOLL_FREE"
	TypePremiumRate   = "PREMIUM_RATE"
	TypeSharedCost    = "SHARED_COST"
	TypeVoIP          = "VOIP"
	TypePersonal      = "PERSONAL"
	TypePager         = "PAGER"
	TypeUAN           = "UAN"
	TypeVoicemail     = "VOICEMAIL"
	TypeUnknown       = "UNKNOWN"
)

// Values of Info.Carrier for Chinese mobiles: the network that was
// allocated the number's prefix (a ported number keeps its original one).
const (
	CarrierMobile   = "MOBILE"   // China Mobile
	CarrierUnicom   = "UNICOM"   // China Unicom
	CarrierTelecom  = "TELECOM"  // China Telecom
	CarrierBroadnet = "BROADNET" // China Broadnet (192)
	CarrierVirtual  = "VIRTUAL"  // MVNO ranges 162, 165, 167, 170, 171
)

// ErrInvalid is wrapped by every error that Normalize and Lookup return for a
// number that is not valid; the wrapping error's message says why.
var ErrInvalid = errors.New("phone: invalid number")

// invalidError says in plain words why raw is not a usable number.
type invalidError struct {
	raw string
	why string
}

func (e *invalidError) Error() string {
	raw := e.raw
	if len(raw) > 64 {
		n := 64
		for !utf8.RuneStart(raw[n]) {
			n--
		}
		raw = raw[:n] + "..."
	}
	return fmt.Sprintf("phone: %q %s", raw, e.why)
}

func (e *invalidError) Unwrap() error { return ErrInvalid }

func invalid(raw, why string) error { return &invalidError{raw: raw, why: why} }

// Normalize returns the normalised form of raw (see the package doc), or an
// error wrapping ErrInvalid. It is safe for concurrent use; an 11-digit
// Chinese mobile takes the fast path and allocates at most once.
func Normalize(raw string) (string, error) {
	if s, ok := fastMobile(raw); ok {
		return s, nil
	}
	n, err := parse(raw)
	return n.norm, err
}

// Lookup normalises raw and adds what the embedded phonenumbers data says
// about it: type, carrier, area code and place. It is safe for concurrent use
// and returns an error wrapping ErrInvalid for an invalid number.
func Lookup(raw string) (Info, error) {
	n, ok := number{}, false
	if n.norm, ok = fastMobile(raw); ok {
		n.kind = kindMobile
		n.nsn = n.norm
	} else {
		var err error
		if n, err = parse(raw); err != nil {
			return Info{}, err
		}
	}
	switch n.kind {
	case kindMobile:
		loc := mobilePlace(n.nsn)
		return Info{
			Number:   n.norm,
			E164:     "+86" + n.nsn,
			Country:  "CN",
			Type:     TypeMobile,
			Carrier:  mobileCarrier(n.nsn),
			AreaCode: loc.code,
			AreaName: loc.name,
		}, nil
	case kindFixed:
		code := n.nsn[:3]
		if n.nsn[0] == '1' || n.nsn[0] == '2' {
			code = n.nsn[:2]
		}
		return Info{
			Number:   n.norm,
			E164:     "+86" + n.nsn,
			Country:  "CN",
			Type:     TypeFixed,
			AreaCode: "0" + code,
			AreaName: locate(n.nsn).name,
		}, nil
	}
	geo, _ := phonenumbers.GetGeocodingForNumber(n.pn, "zh")
	return Info{
		Number:   n.norm,
		E164:     n.norm,
		Country:  phonenumbers.GetRegionCodeForNumber(n.pn),
		Type:     typeName(phonenumbers.GetNumberType(n.pn)),
		AreaName: geo,
	}, nil
}

// typeName turns a phonenumbers type into an Info.Type value.
func typeName(t phonenumbers.PhoneNumberType) string {
	switch t {
	case phonenumbers.MOBILE:
		return TypeMobile
	case phonenumbers.FIXED_LINE:
		return TypeFixed
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return TypeFixedOrMobile
	case phonenumbers.TOLL_FREE:
		return TypeTollFree
	case phonenumbers.PREMIUM_RATE:
		return TypePremiumRate
	case phonenumbers.SHARED_COST:
		return TypeSharedCost
	case phonenumbers.VOIP:
		return TypeVoIP
	case phonenumbers.PERSONAL_NUMBER:
		return TypePersonal
	case phonenumbers.PAGER:
		return TypePager
	case phonenumbers.UAN:
		return TypeUAN
	case phonenumbers.VOICEMAIL:
		return TypeVoicemail
	}
	return TypeUnknown
}

// chinese builds the phonenumbers form of a Chinese national significant
// number given as digits (no trunk 0). nsn must be all digits.
func chinese(nsn string) *phonenumbers.PhoneNumber {
	cc := int32(86)
	nn, _ := strconv.ParseUint(nsn, 10, 64)
	return &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nn}
}
