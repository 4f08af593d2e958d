package telrobot

import (
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/outdial/outdial"
)

// DateTimeLayout is how the document writes times: "2020-03-06 22:38:02", local time.
const DateTimeLayout = "2006-01-02 15:04:05"

// userNamespace is the UUID namespace of UserID: UUIDv5 of the URL namespace and
// "https://outdial.org/tenant".
var userNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://outdial.org/tenant"))

// UserID is the document's user_id of a tenant: a UUID that is the same for the tenant's
// id on every outdial, UUIDv5(userNamespace, "tenant:<id>").
func UserID(tenantID int64) string {
	return uuid.NewSHA1(userNamespace, []byte("tenant:"+itoa(tenantID))).String()
}

// locations caches loaded time zones: time.LoadLocation reads the zone database each time,
// and the notifier runs in the engine's loop.
var locations sync.Map

// location returns the named zone, Asia/Shanghai for "" and UTC for an unknown name.
func location(name string) *time.Location {
	if name == "" {
		name = outdial.DefaultTimeZone
	}
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = time.UTC
	}
	locations.Store(name, l)
	return l
}

// defaultZone is where times of things without a zone of their own are shown (lines,
// groups, rules): outdial's default task time zone.
func defaultZone() *time.Location { return location(outdial.DefaultTimeZone) }

// datetime formats t in loc as the document does; "" for the zero time.
func datetime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(DateTimeLayout)
}

// nullDatetime is datetime, with null for the zero time.
func nullDatetime(t time.Time, loc *time.Location) *string {
	if t.IsZero() {
		return nil
	}
	s := datetime(t, loc)
	return &s
}

// nullString is s, with null for "".
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nullID is id, with null for 0 (none).
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// startFlag is the document's start (1 running, 0 paused) and start_str of a status.
func startFlag(s outdial.TaskStatus) (int, string) {
	if s == outdial.TaskRunning {
		return 1, "开启"
	}
	return 0, "暂停"
}
