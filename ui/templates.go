package ui

import (
	"embed"
	"html/template"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages holds every page; html/template escapes each value for where it
// lands (text, attribute, URL).
var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"class": statusClass,
	"lower": lower,
}).ParseFS(templateFiles, "templates/*.html"))
