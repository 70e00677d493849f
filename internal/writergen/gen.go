package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// response is one JSON success response of the contract.
type response struct {
	typeName string   // oapi-codegen's type for it: GetLocation200JSONResponse
	status   int      // 200
	headers  []string // the contract's header names
}

// generate returns the writers file for the contract at specPath and
// oapi-codegen's output for it at typesPath. The other Go files of that
// package, but outPath, are read too: a MarshalJSON declared there changes
// what encoding/json writes.
func generate(specPath, typesPath, outPath string) ([]byte, error) {
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, typesPath, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	files := []*ast.File{file}
	others, err := filepath.Glob(filepath.Join(filepath.Dir(typesPath), "*.go"))
	if err != nil {
		return nil, err
	}
	for _, path := range others {
		if path == filepath.Clean(typesPath) || filepath.Base(path) == filepath.Base(outPath) || strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return writeFile(file.Name.Name, filepath.Base(specPath), filepath.Base(typesPath), responses(doc), newDecls(files...))
}

// responses lists the contract's 2xx application/json responses, by type
// name.
func responses(doc *openapi3.T) []response {
	var rs []response
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for code, ref := range op.Responses.Map() {
				status, err := strconv.Atoi(code)
				if err != nil || status < 200 || status > 299 || ref.Value == nil || ref.Value.Content["application/json"] == nil {
					continue
				}
				r := response{typeName: upperFirst(op.OperationID) + code + "JSONResponse", status: status}
				for name := range ref.Value.Headers {
					r.headers = append(r.headers, name)
				}
				slices.Sort(r.headers)
				rs = append(rs, r)
			}
		}
	}
	slices.SortFunc(rs, func(a, b response) int { return strings.Compare(a.typeName, b.typeName) })
	return rs
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// decls are the type and method declarations of oapi-codegen's output.
type decls struct {
	types   map[string]*ast.TypeSpec
	methods map[string][]string // receiver type -> method names
}

func newDecls(files ...*ast.File) decls {
	d := decls{types: map[string]*ast.TypeSpec{}, methods: map[string][]string{}}
	for _, file := range files {
		for _, decl := range file.Decls {
			d.add(decl)
		}
	}
	// A method declared on an alias is the aliased type's.
	for _, recv := range slices.Sorted(maps.Keys(d.methods)) {
		if to := d.unalias(recv); to != recv {
			d.methods[to] = append(d.methods[to], d.methods[recv]...)
		}
	}
	return d
}

// unalias follows the alias name stands for, if it is one, to the type it
// names.
func (d decls) unalias(name string) string {
	for range 100 { // a chain of aliases, not a cycle
		ts := d.types[name]
		if ts == nil || !ts.Assign.IsValid() {
			return name
		}
		id, ok := ts.Type.(*ast.Ident)
		if !ok {
			return name
		}
		name = id.Name
	}
	return name
}

func (d decls) add(decl ast.Decl) {
	switch decl := decl.(type) {
	case *ast.GenDecl:
		for _, spec := range decl.Specs {
			if ts, ok := spec.(*ast.TypeSpec); ok {
				d.types[ts.Name.Name] = ts
			}
		}
	case *ast.FuncDecl:
		if decl.Recv != nil && len(decl.Recv.List) == 1 {
			recv := decl.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			if id, ok := recv.(*ast.Ident); ok {
				d.methods[id.Name] = append(d.methods[id.Name], decl.Name.Name)
			}
		}
	}
}

// marshaler names the method through which encoding/json would write the
// named type instead of by its shape, or "".
func (d decls) marshaler(name string) string {
	for _, m := range d.methods[name] {
		if m == "MarshalJSON" || m == "MarshalText" {
			return m
		}
	}
	return ""
}

// gen writes the functions of the file.
type gen struct {
	decls
	appenders map[string]*fn   // struct type name -> its appender
	failed    map[string]error // struct type name -> why it has none
	written   map[string]*fn   // response type -> its writer
	left      []string         // responses left to encoding/json, and why
}

// fn is the body of a function being written. Constant bytes are gathered
// in lit and appended in one go before the next statement.
type fn struct {
	code    bytes.Buffer
	lit     strings.Builder
	usesOK  bool
	loops   int
	needs   map[string]bool // appenders it calls
	imports map[string]bool // packages it uses
}

func newFn() *fn { return &fn{needs: map[string]bool{}, imports: map[string]bool{}} }

func (f *fn) literal(s string) { f.lit.WriteString(s) }

func (f *fn) stmt(format string, args ...any) {
	f.flush()
	fmt.Fprintf(&f.code, format, args...)
	f.code.WriteByte('\n')
}

func (f *fn) flush() {
	switch s := f.lit.String(); len(s) {
	case 0:
	case 1:
		fmt.Fprintf(&f.code, "b = append(b, %q)\n", s[0])
	default:
		q := strconv.Quote(s)
		if strconv.CanBackquote(s) {
			q = "`" + s + "`"
		}
		fmt.Fprintf(&f.code, "b = append(b, %s...)\n", q)
	}
	f.lit.Reset()
}

// jsonwritePath is the package the generated code appends strings, times
// and nulls with.
const jsonwritePath = "github.com/ninjagold/ninjagold-api/internal/jsonwrite"

// shapeError is why a type cannot be written here: its response is left
// to encoding/json. Any other error stops the generator.
type shapeError struct{ error }

func unsupported(format string, args ...any) error { return shapeError{fmt.Errorf(format, args...)} }

// value writes the statements appending the JSON of expr, whose declared
// type is t.
func (g *gen) value(f *fn, expr string, t ast.Expr) error {
	switch t := t.(type) {
	case *ast.Ident:
		ts := g.types[t.Name]
		if ts == nil {
			return g.basic(f, expr, t.Name, false)
		}
		if m := g.marshaler(t.Name); m != "" {
			return unsupported("%s has a %s method", t.Name, m)
		}
		if ts.TypeParams != nil {
			return unsupported("%s is generic", t.Name)
		}
		if ts.Assign.IsValid() { // an alias: the same type
			return g.value(f, expr, ts.Type)
		}
		switch u := ts.Type.(type) {
		case *ast.StructType:
			if err := g.appender(t.Name); err != nil {
				return err
			}
			f.needs[t.Name] = true
			f.usesOK = true
			f.stmt("if b, ok = append%s(b, &%s); !ok {\nreturn b, false\n}", t.Name, expr)
			return nil
		case *ast.Ident:
			if g.types[u.Name] == nil { // a string or number type of its own, an enum
				return g.basic(f, expr, u.Name, true)
			}
		}
		return unsupported("%s is a defined type over %s", t.Name, types.ExprString(ts.Type))
	case *ast.SelectorExpr:
		if types.ExprString(t) == "time.Time" {
			f.usesOK = true
			f.imports[jsonwritePath] = true
			f.stmt("if b, ok = jsonwrite.Time(b, %s); !ok {\nreturn b, false\n}", expr)
			return nil
		}
	case *ast.IndexExpr:
		if types.ExprString(t.X) == "nullable.Nullable" && g.isBasic(t.Index, "string") {
			f.imports[jsonwritePath] = true
			f.stmt("b = jsonwrite.NullableString(b, %s)", expr)
			return nil
		}
	case *ast.ArrayType:
		if t.Len != nil {
			break
		}
		if b := g.basicOf(t.Elt); b == "byte" || b == "uint8" {
			return unsupported("[]%s: a slice of bytes (base64 in encoding/json)", types.ExprString(t.Elt))
		}
		i := fmt.Sprintf("i%d", f.loops)
		f.loops++
		defer func() { f.loops-- }()
		f.stmt("if %s == nil {\nb = append(b, \"null\"...)\n} else {", expr)
		f.literal("[")
		f.stmt("for %s := range %s {\nif %s > 0 {\nb = append(b, ',')\n}", i, expr, i)
		if err := g.value(f, expr+"["+i+"]", t.Elt); err != nil {
			return err
		}
		f.stmt("}")
		f.literal("]")
		f.stmt("}")
		return nil
	}
	return unsupported("%s", types.ExprString(t))
}

// basicOf is the predeclared type t is, or is an alias of or defined over,
// or "".
func (g *gen) basicOf(t ast.Expr) string {
	for range 100 { // a chain of declarations, not a cycle
		id, ok := t.(*ast.Ident)
		if !ok {
			return ""
		}
		ts := g.types[id.Name]
		if ts == nil {
			return id.Name
		}
		t = ts.Type
	}
	return ""
}

// basic writes a value of a predeclared type, or of a type defined over
// one (defined: convert it first, which drops its methods; a
// MarshalJSON or MarshalText is ruled out before).
func (g *gen) basic(f *fn, expr, name string, defined bool) error {
	conv := func(to string) string {
		if defined || name != to {
			return to + "(" + expr + ")"
		}
		return expr
	}
	switch name {
	case "string":
		f.imports[jsonwritePath] = true
		f.stmt("b = jsonwrite.String(b, %s)", conv("string"))
	case "int", "int8", "int16", "int32", "int64":
		f.imports["strconv"] = true
		f.stmt("b = strconv.AppendInt(b, %s, 10)", conv("int64"))
	case "uint", "uint8", "byte", "uint16", "uint32", "uint64":
		f.imports["strconv"] = true
		f.stmt("b = strconv.AppendUint(b, %s, 10)", conv("uint64"))
	case "bool":
		f.imports["strconv"] = true
		f.stmt("b = strconv.AppendBool(b, %s)", conv("bool"))
	default:
		return unsupported("%s", name)
	}
	return nil
}

// appender makes, once, append<Name> for the struct type name.
func (g *gen) appender(name string) error {
	if _, ok := g.appenders[name]; ok {
		return nil
	}
	if err, ok := g.failed[name]; ok {
		return err
	}
	g.appenders[name] = nil // in progress: a type that holds itself ends here
	f, err := g.object(name, g.types[name].Type.(*ast.StructType))
	if err != nil {
		delete(g.appenders, name)
		g.failed[name] = err
		return err
	}
	g.appenders[name] = f
	return nil
}

// complete checks that the appender of name and every appender it calls
// exist: a type that failed while another one it holds was being made
// leaves that one calling an appender that is not there.
func (g *gen) complete(name string, seen map[string]bool) error {
	if seen[name] {
		return nil
	}
	seen[name] = true
	f := g.appenders[name]
	if f == nil {
		if err := g.failed[name]; err != nil {
			return err
		}
		return unsupported("%s has no appender", name)
	}
	for _, n := range slices.Sorted(maps.Keys(f.needs)) { // the same error every run
		if err := g.complete(n, seen); err != nil {
			return err
		}
	}
	return nil
}

// object writes the members of the struct v points to, in field order, as
// encoding/json does.
func (g *gen) object(name string, st *ast.StructType) (*fn, error) {
	f := newFn()
	open := "{"
	seen := map[string]bool{}
	for _, field := range st.Fields.List {
		if len(field.Names) == 0 {
			return nil, unsupported("%s embeds %s", name, types.ExprString(field.Type))
		}
		tag := ""
		if field.Tag != nil {
			raw, err := strconv.Unquote(field.Tag.Value)
			if err != nil {
				return nil, err
			}
			tag = reflect.StructTag(raw).Get("json")
		}
		for _, id := range field.Names {
			if !id.IsExported() || tag == "-" {
				continue
			}
			key, opts, _ := strings.Cut(tag, ",")
			if opts != "" {
				return nil, unsupported("%s.%s has the JSON option %q", name, id.Name, opts)
			}
			if key == "" {
				key = id.Name
			}
			if !plainKey(key) || seen[key] {
				return nil, unsupported("%s.%s: key %q", name, id.Name, key)
			}
			seen[key] = true
			f.literal(open + `"` + key + `":`)
			open = ","
			if err := g.value(f, "v."+id.Name, field.Type); err != nil {
				return nil, fmt.Errorf("%s.%s: %w", name, id.Name, err)
			}
		}
	}
	if open == "{" {
		f.literal("{")
	}
	f.literal("}")
	f.flush()
	return f, nil
}

// plainKey reports whether key is a member name encoding/json takes from
// a tag as it is and writes without escaping: ASCII letters, digits, "_",
// "-" and ".".
func plainKey(key string) bool {
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return key != ""
}

// writer writes the fast writer of r and returns the type of its body, or
// says why there is none.
func (g *gen) writer(r response) (string, error) {
	ts := g.types[r.typeName]
	if ts == nil {
		return "", fmt.Errorf("the contract's response %s has no type in oapi-codegen's output", r.typeName)
	}
	st, ok := ts.Type.(*ast.StructType)
	if !ok {
		return "", unsupported("the response type is %s", types.ExprString(ts.Type))
	}
	var body, headers ast.Expr
	for _, field := range st.Fields.List {
		for _, id := range field.Names {
			switch id.Name {
			case "Body":
				body = field.Type
			case "Headers":
				headers = field.Type
			default:
				return "", unsupported("the response type has a field %s", id.Name)
			}
		}
	}
	bodyType, ok := body.(*ast.Ident)
	if !ok || g.types[bodyType.Name] == nil || g.types[bodyType.Name].Assign.IsValid() || g.marshaler(bodyType.Name) != "" {
		return "", unsupported("body %s: not a struct type of its own", types.ExprString(body))
	}
	if _, ok := g.types[bodyType.Name].Type.(*ast.StructType); !ok {
		return "", unsupported("body %s is %s", bodyType.Name, types.ExprString(g.types[bodyType.Name].Type))
	}
	if err := g.appender(bodyType.Name); err != nil {
		return "", err
	}
	if err := g.complete(bodyType.Name, map[string]bool{}); err != nil {
		return "", err
	}
	visit := ""
	for _, m := range g.methods[r.typeName] {
		if strings.HasPrefix(m, "Visit") && strings.HasSuffix(m, "Response") {
			visit = m
		}
	}
	if visit == "" {
		return "", fmt.Errorf("%s has no Visit method", r.typeName)
	}
	sets, err := g.headerSets(r, headers)
	if err != nil {
		return "", err
	}

	w := newFn()
	w.imports["net/http"], w.imports[jsonwritePath] = true, true
	maps.Copy(w.imports, sets.imports)
	b := &w.code
	fmt.Fprintf(b, "// Fast%[1]s is a %[1]s\n// that writes its JSON without reflection: the same status, headers and\n// bytes.\ntype Fast%[1]s struct {\n%[1]s\n}\n\n", r.typeName)
	fmt.Fprintf(b, "func (r Fast%s) %s(w http.ResponseWriter) error {\n", r.typeName, visit)
	fmt.Fprintf(b, "buf := jsonwrite.Buffer()\ndefer jsonwrite.Release(buf)\nvar ok bool\n")
	fmt.Fprintf(b, "if *buf, ok = append%s(*buf, &r.Body); !ok {\n// encoding/json refuses it too; let it say so.\nreturn r.%s.%s(w)\n}\n", bodyType.Name, r.typeName, visit)
	fmt.Fprintf(b, "h := w.Header()\nh[\"Content-Type\"] = jsonwrite.ContentType\n%s", sets.code.String())
	fmt.Fprintf(b, "return jsonwrite.Send(w, %d, buf)\n}\n", r.status)
	g.written[r.typeName] = w
	return bodyType.Name, nil
}

// headerSets writes the statements that set the response's headers, as
// the generated writer does (h.Set, its key made canonical once, here): in
// the order of the Headers struct's fields, each under the contract's name
// for it, and the optional ones (pointers) only when set.
func (g *gen) headerSets(r response, headers ast.Expr) (*fn, error) {
	f := newFn()
	if headers == nil {
		if len(r.headers) > 0 {
			return nil, unsupported("headers %v but no Headers field", r.headers)
		}
		return f, nil
	}
	id, ok := headers.(*ast.Ident)
	if !ok || g.types[id.Name] == nil {
		return nil, unsupported("headers of type %s", types.ExprString(headers))
	}
	st, ok := g.types[id.Name].Type.(*ast.StructType)
	if !ok {
		return nil, unsupported("headers of type %s", types.ExprString(g.types[id.Name].Type))
	}
	matched := map[string]bool{}
	for _, field := range st.Fields.List {
		for _, fid := range field.Names {
			// oapi-codegen names the field after the header without its
			// hyphens; exactly one of the contract's headers must fit.
			var names []string
			for _, h := range r.headers {
				if strings.EqualFold(strings.ReplaceAll(h, "-", ""), fid.Name) {
					names = append(names, h)
				}
			}
			if len(names) != 1 || matched[names[0]] {
				return nil, unsupported("header field %s matches %d of the contract's headers %v", fid.Name, len(names), r.headers)
			}
			name := names[0]
			matched[name] = true
			t, optional := field.Type, false
			if star, ok := t.(*ast.StarExpr); ok {
				t, optional = star.X, true
			}
			v := "r.Headers." + fid.Name
			if optional {
				v = "*v"
			}
			var value string
			switch {
			case g.isBasic(t, "string"):
				value = v
			case g.isBasic(t, "int", "int32", "int64"):
				f.imports["strconv"] = true
				value = "strconv.FormatInt(int64(" + v + "), 10)"
			default:
				return nil, unsupported("header %s of type %s", name, types.ExprString(field.Type))
			}
			// What h.Set does, with the key made canonical here rather
			// than on every response (ETag becomes Etag: an allocation).
			key := http.CanonicalHeaderKey(name)
			if optional {
				fmt.Fprintf(&f.code, "if v := r.Headers.%s; v != nil {\nh[%q] = []string{%s}\n}\n", fid.Name, key, value)
			} else {
				fmt.Fprintf(&f.code, "h[%q] = []string{%s}\n", key, value)
			}
		}
	}
	if len(matched) != len(r.headers) {
		return nil, unsupported("header fields for %d of the contract's headers %v", len(matched), r.headers)
	}
	return f, nil
}

// isBasic reports whether t is one of the predeclared types names, or an
// alias of one.
func (g *gen) isBasic(t ast.Expr, names ...string) bool {
	id, ok := t.(*ast.Ident)
	if !ok {
		return false
	}
	if ts := g.types[id.Name]; ts != nil {
		return ts.Assign.IsValid() && g.isBasic(ts.Type, names...)
	}
	return slices.Contains(names, id.Name)
}

// writeFile assembles the file: the writers, then the appenders they use,
// each in name order so that the output depends on the inputs only.
func writeFile(pkg, specName, typesName string, rs []response, d decls) ([]byte, error) {
	g := &gen{decls: d, appenders: map[string]*fn{}, failed: map[string]error{}, written: map[string]*fn{}}
	var need []string
	for _, r := range rs {
		body, err := g.writer(r)
		if errors.As(err, new(shapeError)) {
			g.left = append(g.left, fmt.Sprintf("%s: %v", r.typeName, err))
			continue
		}
		if err != nil {
			return nil, err
		}
		need = append(need, body)
	}
	// The appenders the writers reach.
	reached := map[string]bool{}
	var visit func(string)
	visit = func(name string) {
		if reached[name] {
			return
		}
		reached[name] = true
		for n := range g.appenders[name].needs {
			visit(n)
		}
	}
	for _, n := range need {
		visit(n)
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by internal/writergen from %s and %s. DO NOT EDIT.\n\n", specName, typesName)
	fmt.Fprintf(&b, "package %s\n\n", pkg)
	b.WriteString("// Each FastXxx type below is oapi-codegen's XxxJSONResponse with a writer\n")
	b.WriteString("// made for its type: the same status, headers and bytes, without\n")
	b.WriteString("// reflection. A value encoding/json refuses (a time outside RFC 3339)\n")
	b.WriteString("// goes to oapi-codegen's writer, so even the error is the same.\n//\n")
	if len(g.left) == 0 {
		b.WriteString("// Every JSON success response of the contract has one.\n")
	} else {
		b.WriteString("// Left to oapi-codegen's writer (encoding/json), for a shape writergen\n// does not write:\n")
		for _, l := range g.left {
			fmt.Fprintf(&b, "//   - %s\n", l)
		}
	}
	names := slices.Sorted(maps.Keys(g.written))
	appenders := slices.Sorted(maps.Keys(reached))
	imports := map[string]bool{}
	for _, n := range names {
		maps.Copy(imports, g.written[n].imports)
	}
	for _, n := range appenders {
		maps.Copy(imports, g.appenders[n].imports)
	}
	if len(imports) > 0 {
		b.WriteString("\nimport (\n")
		// The standard library first, then the module's own, as goimports
		// groups them.
		var std, own []string
		for _, path := range slices.Sorted(maps.Keys(imports)) {
			if strings.Contains(path, ".") {
				own = append(own, path)
			} else {
				std = append(std, path)
			}
		}
		for i, group := range [][]string{std, own} {
			if i > 0 && len(std) > 0 && len(own) > 0 {
				b.WriteString("\n")
			}
			for _, path := range group {
				fmt.Fprintf(&b, "%q\n", path)
			}
		}
		b.WriteString(")\n")
	}
	b.WriteString("\n")
	for _, n := range names {
		b.Write(g.written[n].code.Bytes())
		b.WriteString("\n")
	}
	for _, n := range appenders {
		f := g.appenders[n]
		fmt.Fprintf(&b, "// append%[1]s appends v as encoding/json writes a %[1]s;\n// false if encoding/json would refuse it.\n", n)
		fmt.Fprintf(&b, "func append%s(b []byte, v *%s) ([]byte, bool) {\n", n, n)
		if f.usesOK {
			b.WriteString("var ok bool\n")
		}
		b.Write(f.code.Bytes())
		b.WriteString("return b, true\n}\n\n")
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting the output: %w\n%s", err, b.Bytes())
	}
	return src, nil
}
