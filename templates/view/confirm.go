package view

// ConfirmPage asks once more before a step that is hard to undo (cancelling
// a call, signing off a shift, publishing an urgent notice). The form's
// values go again in Hidden, with confirm=1 and a fresh idempotency key.
type ConfirmPage struct {
	Question     string
	Detail       string
	Action       string // where the form posts
	Hidden       []Hidden
	ConfirmLabel string
	BackURL      string // empty: back posts the form with confirm=back
	BackLabel    string
}

// Hidden is one hidden form field.
type Hidden struct{ Name, Value string }
