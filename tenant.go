package outdial

import "time"

// Tenant is one customer of an outdial installation. Everything else belongs to a tenant,
// and one tenant never sees another's data.
type Tenant struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Caps limit how often any of the tenant's tasks may call the same number; 0 means
	// no cap.
	CapPerHour int `json:"cap_per_hour"`
	CapPerDay  int `json:"cap_per_day"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Default per-number caps of a new tenant.
const (
	DefaultCapPerHour = 1
	DefaultCapPerDay  = 3
)

// Validate checks the tenant's fields.
func (t *Tenant) Validate() error {
	switch {
	case t.Name == "" || len(t.Name) > 100:
		return FieldErrorf("name", "tenant name must be 1 to 100 bytes")
	case t.CapPerHour < 0 || t.CapPerDay < 0:
		return FieldErrorf("cap_per_day", "caps must not be negative")
	}
	return nil
}

// Project groups a tenant's tasks (seed 002's projectId). Every tenant has a default
// project that tasks join when they name none.
type Project struct {
	ID        int64     `json:"id"`
	TenantID  int64     `json:"-"`
	Name      string    `json:"name"`
	IsDefault bool      `json:"is_default"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks the project's fields.
func (p *Project) Validate() error {
	if p.Name == "" || len(p.Name) > 200 {
		return FieldErrorf("name", "project name must be 1 to 200 bytes")
	}
	return nil
}

// BlockedNumber is a number the tenant's tasks must never call (a refusal, a complaint).
type BlockedNumber struct {
	TenantID  int64     `json:"-"`
	Phone     string    `json:"phone"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}
