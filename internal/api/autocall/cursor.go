package autocall

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"

	"github.com/outdial/outdial"
)

// A searchAfter cursor is 28 characters of URL-safe Base64 (no padding) of 21 bytes: a
// version byte (1), the last call id of the page (8 bytes, big-endian), and the first 12
// bytes of HMAC-SHA256(key, "autocall searchAfter" || version || tenant id || call id).
// The next page lists calls with ids after it: ids are time-ordered, so new calls land
// after every cursor and paging neither repeats nor skips a call while calls are added.
// The MAC refuses forged or altered cursors and another tenant's.
const (
	cursorVersion = 1
	cursorMACLen  = 12
	cursorLen     = 1 + 8 + cursorMACLen
)

// makeCursor returns the cursor that continues after callID for the tenant.
func (h *Handler) makeCursor(tenantID, callID int64) string {
	b := make([]byte, 9, cursorLen)
	b[0] = cursorVersion
	binary.BigEndian.PutUint64(b[1:], uint64(callID))
	return base64.RawURLEncoding.EncodeToString(append(b, h.cursorMAC(tenantID, b)...))
}

// readCursor returns the call id of a cursor this server gave the tenant; anything else
// is an EINVALID error on searchAfter.
func (h *Handler) readCursor(tenantID int64, s string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != cursorLen || b[0] != cursorVersion || !hmac.Equal(b[9:], h.cursorMAC(tenantID, b[:9])) {
		return 0, outdial.FieldErrorf("searchAfter",
			"searchAfter %s is not a cursor this server gave you: pass back the searchAfter of the previous page unchanged, or leave it out for the first page", quote(s))
	}
	id := int64(binary.BigEndian.Uint64(b[1:9]))
	if id <= 0 {
		return 0, outdial.FieldErrorf("searchAfter", "searchAfter holds no call")
	}
	return id, nil
}

// cursorMAC is the truncated MAC of a cursor's version and call id for the tenant.
func (h *Handler) cursorMAC(tenantID int64, head []byte) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte("autocall searchAfter"))
	var t [8]byte
	binary.BigEndian.PutUint64(t[:], uint64(tenantID))
	m.Write(head[:1])
	m.Write(t[:])
	m.Write(head[1:9])
	return m.Sum(nil)[:cursorMACLen]
}

// CursorAfter returns the searchAfter that continues a search of the tenant after the
// call (for tools and benchmarks that start deep in a result).
func (h *Handler) CursorAfter(tenantID, callID int64) string { return h.makeCursor(tenantID, callID) }
