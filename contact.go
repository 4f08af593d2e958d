package outdial

import (
	"net/mail"
	"time"
)

// Batch is a named list of contacts bound to one task (groupcall's 资料批次).
type Batch struct {
	ID        int64     `json:"id"`
	TenantID  int64     `json:"-"`
	TaskID    int64     `json:"task_id"`
	Name      string    `json:"name"`
	Size      int64     `json:"size"` // contacts in the batch
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks the batch's fields.
func (b *Batch) Validate() error {
	switch {
	case b.Name == "" || len(b.Name) > 200:
		return FieldErrorf("name", "batch name must be 1 to 200 bytes")
	case b.TaskID == 0:
		return FieldErrorf("task_id", "a batch is bound to a task")
	}
	return nil
}

// ContactStatus is where a contact is in dialing.
type ContactStatus string

// Contact statuses. A pending contact is due at NextAttemptAt; dialing has a live call;
// finished is final, with its last Result (blocked contacts end without a call).
const (
	ContactPending  ContactStatus = "pending"
	ContactDialing  ContactStatus = "dialing"
	ContactFinished ContactStatus = "finished"
)

// Contact is one number to call in a batch, with what the customer uploaded about it.
type Contact struct {
	ID          int64             `json:"id"`
	TenantID    int64             `json:"-"`
	TaskID      int64             `json:"task_id"`
	BatchID     int64             `json:"batch_id"`
	Seq         int64             `json:"-"`     // import order within the task
	Phone       string            `json:"phone"` // normalised
	Name        string            `json:"name"`
	Address     string            `json:"address"`
	Email       string            `json:"email"`
	State       string            `json:"state"` // customer's own data, at most 60 bytes
	CallbackURL string            `json:"callback_url"`
	ExternalID  string            `json:"external_id"`
	Variables   map[string]string `json:"variables,omitempty"`
	Priority    int               `json:"priority"` // higher is called first

	// Number location, from the number itself.
	AreaCode string `json:"area_code"`
	AreaName string `json:"area_name"`
	Type     string `json:"number_type"`
	Carrier  string `json:"carrier"`

	Status        ContactStatus `json:"status"`
	Attempts      int           `json:"attempts"`
	NextAttemptAt time.Time     `json:"next_attempt_at"`
	LastResult    Result        `json:"last_result,omitempty"`
	LastCallID    int64         `json:"last_call_id,string,omitempty"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
}

// Contact field limits.
const (
	MaxStateBytes     = 60
	MaxNameBytes      = 200
	MaxAddressBytes   = 500
	MaxVariables      = 50
	MaxVariableBytes  = 1000
	MaxExternalIDSize = 128
)

// Validate checks the customer-supplied fields (the phone is normalised by the caller).
func (c *Contact) Validate() error {
	switch {
	case c.Phone == "":
		return FieldErrorf("phone", "missing phone number")
	case len(c.State) > MaxStateBytes:
		return FieldErrorf("state", "state is %d bytes, at most %d allowed", len(c.State), MaxStateBytes)
	case len(c.Name) > MaxNameBytes:
		return FieldErrorf("name", "name is over %d bytes", MaxNameBytes)
	case len(c.Address) > MaxAddressBytes:
		return FieldErrorf("address", "address is over %d bytes", MaxAddressBytes)
	case c.Email != "" && (len(c.Email) > 254 || !validEmail(c.Email)):
		return FieldErrorf("email", "%q is not an email address", c.Email)
	case c.CallbackURL != "" && !ValidCallbackURL(c.CallbackURL):
		return FieldErrorf("callback_url", "callback_url must be an http or https URL")
	case len(c.ExternalID) > MaxExternalIDSize:
		return FieldErrorf("external_id", "external_id is over %d bytes", MaxExternalIDSize)
	case len(c.Variables) > MaxVariables:
		return FieldErrorf("variables", "at most %d variables", MaxVariables)
	case c.Priority < -1000 || c.Priority > 1000:
		return FieldErrorf("priority", "priority must be -1000 to 1000")
	}
	for k, v := range c.Variables {
		if k == "" || len(k) > 64 || len(v) > MaxVariableBytes {
			return FieldErrorf("variables", "variable names are 1 to 64 bytes, values at most %d", MaxVariableBytes)
		}
	}
	return nil
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}
