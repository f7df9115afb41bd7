// Package app holds Police Booth's domain: the records a booth keeps, the
// rules that govern them and the errors they produce. It imports nothing of
// the project, so every other package can depend on it.
package app
