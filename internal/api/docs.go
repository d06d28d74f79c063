package api

import (
	"bytes"
	"fmt"
	"html/template"
	"sort"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// The reference page at /docs is rendered once, on the server, from the OpenAPI document: no
// JavaScript, nothing fetched from elsewhere.

type docField struct {
	Name, Type, TypeRef, Description string
	Required                         bool
}

type docOp struct {
	Anchor, Method, Path, Summary, Description, Security string
	Params                                               []docField
	BodyType, BodyRef, BodyDescription                   string
	Body                                                 []docField
	Responses                                            []docField
}

type docTag struct {
	Name, Anchor, Description string
	Ops                       []docOp
}

type docSchema struct {
	Name, Description string
	Fields            []docField
	Enum              string
}

type docPage struct {
	Title, Version, Description string
	Tags                        []docTag
	Schemas                     []docSchema
}

func anchor(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

// typeOf describes a schema in a few words, and the component it refers to, if any.
func typeOf(s *huma.Schema) (string, string) {
	if s == nil {
		return "any", ""
	}
	if s.Ref != "" {
		name := s.Ref[strings.LastIndex(s.Ref, "/")+1:]
		return name, name
	}
	switch s.Type {
	case huma.TypeArray:
		t, ref := typeOf(s.Items)
		return "array of " + t, ref
	case "":
		if len(s.OneOf) > 0 || len(s.AnyOf) > 0 {
			return "one of several", ""
		}
		return "any", ""
	}
	t := s.Type
	if s.Format != "" {
		t += " (" + s.Format + ")"
	}
	if len(s.Enum) > 0 {
		var vals []string
		for _, v := range s.Enum {
			vals = append(vals, fmt.Sprint(v))
		}
		t += ": " + strings.Join(vals, ", ")
	}
	if s.Pattern != "" {
		t += ", pattern " + s.Pattern
	}
	return t, ""
}

func fields(s *huma.Schema, reg huma.Registry) []docField {
	if s == nil {
		return nil
	}
	if s.Ref != "" {
		s = reg.SchemaFromRef(s.Ref)
		if s == nil {
			return nil
		}
	}
	if len(s.Properties) == 0 && s.Extensions != nil {
		return rawFields(s.Extensions)
	}
	req := map[string]bool{}
	for _, r := range s.Required {
		req[r] = true
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]docField, 0, len(names))
	for _, n := range names {
		p := s.Properties[n]
		t, ref := typeOf(p)
		out = append(out, docField{Name: n, Type: t, TypeRef: ref, Description: p.Description, Required: req[n]})
	}
	return out
}

func renderDocs(o *huma.OpenAPI) []byte {
	reg := o.Components.Schemas
	page := docPage{Title: o.Info.Title, Version: o.Info.Version, Description: o.Info.Description}
	byTag := map[string]*docTag{}
	for _, t := range o.Tags {
		page.Tags = append(page.Tags, docTag{Name: t.Name, Anchor: "tag-" + anchor(t.Name), Description: t.Description})
	}
	for i := range page.Tags {
		byTag[page.Tags[i].Name] = &page.Tags[i]
	}
	paths := make([]string, 0, len(o.Paths))
	for p := range o.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		item := o.Paths[p]
		for _, m := range []struct {
			method string
			op     *huma.Operation
		}{{"GET", item.Get}, {"POST", item.Post}, {"PUT", item.Put}, {"PATCH", item.Patch}, {"DELETE", item.Delete}} {
			if m.op == nil {
				continue
			}
			op := m.op
			d := docOp{Anchor: "op-" + anchor(op.OperationID), Method: m.method, Path: p, Summary: op.Summary, Description: op.Description}
			for _, sec := range op.Security {
				for name := range sec {
					d.Security = name
				}
			}
			for _, prm := range op.Parameters {
				t, ref := typeOf(prm.Schema)
				d.Params = append(d.Params, docField{Name: prm.In + " " + prm.Name, Type: t, TypeRef: ref, Description: prm.Description, Required: prm.Required})
			}
			if rb := op.RequestBody; rb != nil {
				cts := make([]string, 0, len(rb.Content))
				for ct := range rb.Content {
					cts = append(cts, ct)
				}
				sort.Strings(cts)
				for _, ct := range cts {
					mt := rb.Content[ct]
					t, ref := typeOf(mt.Schema)
					d.BodyType, d.BodyRef, d.BodyDescription = ct+": "+t, ref, rb.Description
					d.Body = fields(mt.Schema, reg)
					break
				}
			}
			codes := make([]string, 0, len(op.Responses))
			for c := range op.Responses {
				codes = append(codes, c)
			}
			sort.Strings(codes)
			for _, c := range codes {
				r := op.Responses[c]
				f := docField{Name: c, Description: r.Description}
				for _, mt := range r.Content {
					f.Type, f.TypeRef = typeOf(mt.Schema)
				}
				d.Responses = append(d.Responses, f)
			}
			tag := "Other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			dt := byTag[tag]
			if dt == nil {
				page.Tags = append(page.Tags, docTag{Name: tag, Anchor: "tag-" + anchor(tag)})
				dt = &page.Tags[len(page.Tags)-1]
				byTag = map[string]*docTag{}
				for i := range page.Tags {
					byTag[page.Tags[i].Name] = &page.Tags[i]
				}
			}
			dt.Ops = append(dt.Ops, d)
		}
	}
	names := make([]string, 0, len(reg.Map()))
	for n := range reg.Map() {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := reg.Map()[n]
		ds := docSchema{Name: n, Description: s.Description, Fields: fields(s, reg)}
		if ds.Description == "" && s.Extensions != nil {
			ds.Description, _ = s.Extensions["description"].(string)
		}
		if len(s.Enum) > 0 {
			ds.Enum, _ = typeOf(s)
		}
		page.Schemas = append(page.Schemas, ds)
	}
	var buf bytes.Buffer
	if err := docsTemplate().Execute(&buf, page); err != nil {
		return []byte("reference page unavailable")
	}
	return buf.Bytes()
}

func docsTemplate() *template.Template {
	return template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} {{.Version}} reference</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;display:flex}
nav{width:270px;flex:none;height:100vh;overflow:auto;position:sticky;top:0;background:#f5f6f8;border-right:1px solid #dde;padding:1em;box-sizing:border-box;font-size:13px}
nav a{color:#234;text-decoration:none;display:block;padding:1px 0}nav h3{margin:1em 0 .3em;font-size:13px;text-transform:uppercase;color:#667}
main{padding:1.5em 2.5em;max-width:980px}h1{margin-top:0}h2{border-bottom:2px solid #dde;padding-bottom:.2em;margin-top:2em}
section.op{border:1px solid #dde;border-radius:6px;padding:.8em 1.2em;margin:1.2em 0}
.m{font:bold 12px monospace;padding:2px 6px;border-radius:3px;color:#fff;margin-right:.5em}
.GET{background:#2b7a3d}.POST{background:#1f5fa8}.PUT{background:#8a5a00}.PATCH{background:#6b3fa0}.DELETE{background:#a82a2a}
code,.path{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}table{border-collapse:collapse;width:100%;margin:.4em 0 .8em}
th,td{text-align:left;border-bottom:1px solid #eee;padding:3px 8px;vertical-align:top;font-size:13px}th{color:#556;font-weight:600}
.req{color:#a82a2a;font-size:11px}.desc{white-space:pre-line}.small{color:#667;font-size:13px}
</style></head><body>
<nav><strong>{{.Title}}</strong> <span class="small">{{.Version}}</span>
<a href="/openapi.json">openapi.json</a>
{{range .Tags}}<h3><a href="#{{.Anchor}}">{{.Name}}</a></h3>{{range .Ops}}<a href="#{{.Anchor}}"><span class="small">{{.Method}}</span> {{.Path}}</a>{{end}}{{end}}
<h3><a href="#schemas">Schemas</a></h3></nav>
<main><h1>{{.Title}} <span class="small">{{.Version}}</span></h1>
<p class="desc">{{.Description}}</p>
{{range .Tags}}<h2 id="{{.Anchor}}">{{.Name}}</h2><p>{{.Description}}</p>
{{range .Ops}}<section class="op" id="{{.Anchor}}"><h3><span class="m {{.Method}}">{{.Method}}</span><span class="path">{{.Path}}</span></h3>
<p><strong>{{.Summary}}</strong></p><p class="desc">{{.Description}}</p>
{{if .Security}}<p class="small">Authentication: {{.Security}} (bearer)</p>{{end}}
{{if .Params}}<h4>Parameters</h4><table><tr><th>Name</th><th>Type</th><th>Description</th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code>{{if .Required}} <span class="req">required</span>{{end}}</td><td>{{if .TypeRef}}<a href="#schema-{{.TypeRef}}">{{.Type}}</a>{{else}}{{.Type}}{{end}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
{{if .BodyType}}<h4>Request body</h4><p class="small">{{if .BodyRef}}<a href="#schema-{{.BodyRef}}">{{.BodyType}}</a>{{else}}{{.BodyType}}{{end}} {{.BodyDescription}}</p>
{{if .Body}}<table><tr><th>Field</th><th>Type</th><th>Description</th></tr>
{{range .Body}}<tr><td><code>{{.Name}}</code>{{if .Required}} <span class="req">required</span>{{end}}</td><td>{{if .TypeRef}}<a href="#schema-{{.TypeRef}}">{{.Type}}</a>{{else}}{{.Type}}{{end}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}{{end}}
<h4>Responses</h4><table><tr><th>Status</th><th>Body</th><th>Description</th></tr>
{{range .Responses}}<tr><td><code>{{.Name}}</code></td><td>{{if .TypeRef}}<a href="#schema-{{.TypeRef}}">{{.Type}}</a>{{else}}{{.Type}}{{end}}</td><td>{{.Description}}</td></tr>{{end}}</table>
</section>{{end}}{{end}}
<h2 id="schemas">Schemas</h2>
{{range .Schemas}}<section class="op" id="schema-{{.Name}}"><h3>{{.Name}}</h3><p class="desc">{{.Description}}</p>{{if .Enum}}<p><code>{{.Enum}}</code></p>{{end}}
{{if .Fields}}<table><tr><th>Field</th><th>Type</th><th>Description</th></tr>
{{range .Fields}}<tr><td><code>{{.Name}}</code>{{if .Required}} <span class="req">required</span>{{end}}</td><td>{{if .TypeRef}}<a href="#schema-{{.TypeRef}}">{{.Type}}</a>{{else}}{{.Type}}{{end}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
</section>{{end}}
</main></body></html>
`))
}

// rawFields lists the properties of a schema carried as raw JSON (the IVMS101 definitions).
func rawFields(ext map[string]any) []docField {
	props, _ := ext["properties"].(map[string]any)
	req := map[string]bool{}
	if rs, ok := ext["required"].([]any); ok {
		for _, r := range rs {
			req[fmt.Sprint(r)] = true
		}
	}
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]docField, 0, len(names))
	for _, n := range names {
		p, _ := props[n].(map[string]any)
		f := docField{Name: n, Required: req[n]}
		f.Description, _ = p["description"].(string)
		f.Type, f.TypeRef = rawType(p)
		out = append(out, f)
	}
	return out
}

func rawType(p map[string]any) (string, string) {
	if r, ok := p["$ref"].(string); ok {
		name := r[strings.LastIndex(r, "/")+1:]
		return name, name
	}
	if items, ok := p["items"].(map[string]any); ok {
		t, ref := rawType(items)
		return "array of " + t, ref
	}
	if t, ok := p["type"].(string); ok {
		return t, ""
	}
	return "any", ""
}
