// Package view holds the display-shaped models that templates render.
// Handlers fill them; templates never query.
package view

// Page is what the layout needs around every page.
type Page struct {
	Title string // the page's own title; the layout adds the booth's name
	Path  string // the current path, for the language switch to come back to
	Booth Booth
	Asset Assets
}

// Booth names the booth the page speaks for, with its phone number.
type Booth struct {
	StationName string
	BoothName   string
	Phone       string
}

// Assets are the content-hashed URLs of the shell's static files.
type Assets struct {
	CSS       string
	JS        string
	HTMX      string
	Icon      string
	TouchIcon string
}

// ErrorPage describes an error shown to a person.
type ErrorPage struct {
	Status int
}
