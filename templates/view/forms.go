package view

// Field is one form field: its label and hint are message ids the template
// translates; Value and Error are shown as given (Error already translated).
type Field struct {
	Name         string
	Label        string // message id
	Hint         string // message id, optional
	Type         string // text, tel, password, number, date…
	Value        string
	Error        string
	Autocomplete string
	InputMode    string
	Required     bool
	MaxLength    int
}

// Option is one choice of a select.
type Option struct {
	Value, Label string
	Selected     bool
}

// Errors maps field names to translated messages; "" is the whole form's.
type Errors map[string]string

// ErrorLink is one entry of a form's error summary: the field's label and
// error, linking to the field.
type ErrorLink struct{ Text, Href string }
