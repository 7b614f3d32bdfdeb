package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/emit"
	"github.com/circc/circc/compiler/eval"
	"github.com/circc/circc/compiler/expand"
	"github.com/circc/circc/compiler/experiment"
	"github.com/circc/circc/compiler/lower"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/lang/parser"
	"github.com/circc/circc/models"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/onnx/onnxpb"
)

// Version is the compiler version recorded in every output.
const Version = "0.2.0"

// Result holds what each stage produced, up to where compilation stopped.
type Result struct {
	Source    string
	SHA256    string // of the main file
	Program   *check.Program
	Evaluator *eval.Evaluator
	Network   *expand.Network
	// Experiments are the circuit's statements about reference models,
	// resolved with the network (expand stage).
	Experiments *experiment.Plan
	Lowered     *lower.Network
	Model       *onnxpb.ModelProto
	ONNX        []byte
	Diags       diag.List
	Stopped     StageName // the last stage that ran
}

// StageName names a stage of the compiler.
type StageName string

const (
	StageCheck  StageName = "check"
	StageEval   StageName = "eval"
	StageExpand StageName = "expand"
	StageLower  StageName = "lower"
	StageEmit   StageName = "emit"
)

// Stage is one named step of the compiler.
type Stage struct {
	Name StageName
	Doc  string
	run  func(r *Result, opt Options) diag.List
	// Dump writes the stage's result as deterministic text.
	Dump func(r *Result, w io.Writer, opt Options)
}

// Options control a compilation.
type Options struct {
	StopAfter StageName // "" runs every stage
	Limits    eval.Limits
	// Weights makes the expand dump list every nonzero kernel.
	Weights bool
	// Defines override top-level lets of the main file: name → circ
	// expression (circc -D name=value). The new value must have the kind and
	// dimension of the one it replaces.
	Defines map[string]string
	// Models are the reference models the circuit may name (nil: the
	// built-in ones, models.Builtin).
	Models models.Registry
}

// Stages lists the compiler's stages in order.
var Stages = []Stage{
	{Name: StageCheck, Doc: "load the circuit and its imports; resolve names; check kinds, dimensions, layers and connections",
		run: func(r *Result, opt Options) diag.List { return nil }, Dump: dumpCheck},
	{Name: StageEval, Doc: "evaluate the circuit's top-level lets and family domains",
		run: runEval, Dump: dumpEval},
	{Name: StageExpand, Doc: "expand families and motifs into units with names and channels; evaluate every connection into dense weights",
		run: runExpand, Dump: func(r *Result, w io.Writer, opt Options) { r.Network.Dump(w, opt.Weights) }},
	{Name: StageLower, Doc: "convert each convolution's weights and biases to gorgonia float32 tensors (OIHW)",
		run:  func(r *Result, opt Options) diag.List { r.Lowered = lower.Lower(r.Network); return nil },
		Dump: func(r *Result, w io.Writer, opt Options) { r.Lowered.Dump(w) }},
	{Name: StageEmit, Doc: "build the standalone ONNX model and encode it deterministically",
		run: runEmit, Dump: dumpEmit},
}

// StageNames lists the stages' names in order.
func StageNames() []string {
	var out []string
	for _, s := range Stages {
		out = append(out, string(s.Name))
	}
	return out
}

// LookupStage returns the named stage.
func LookupStage(name StageName) (Stage, bool) {
	for _, s := range Stages {
		if s.Name == name {
			return s, true
		}
	}
	return Stage{}, false
}

// Compile runs the stages on the circuit at filename, stopping after
// opt.StopAfter or at the first stage that reports errors. The error is
// non-nil only when the file cannot be read or the stage name is unknown.
func Compile(fs afero.Fs, filename string, opt Options) (*Result, error) {
	if opt.StopAfter != "" {
		if _, ok := LookupStage(opt.StopAfter); !ok {
			return nil, fmt.Errorf("unknown stage %q (stages: %s)", opt.StopAfter, strings.Join(StageNames(), ", "))
		}
	}
	if opt.Limits == (eval.Limits{}) {
		opt.Limits = eval.DefaultLimits
	}
	src, err := safefs.ReadFile(fs, filename, safefs.MaxSource)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(src)
	r := &Result{Source: filename, SHA256: hex.EncodeToString(sum[:])}
	reg := opt.Models
	if reg == nil {
		reg = models.Builtin
	}
	prog, ds, err := check.CheckSource(fs, filename, src, reg)
	if err != nil {
		return nil, err
	}
	r.Program, r.Diags, r.Stopped = prog, ds, StageCheck
	if ds.HasErrors() || opt.StopAfter == StageCheck {
		return r, nil
	}
	r.Evaluator = eval.New(prog, opt.Limits)
	if ds := applyDefines(r, opt.Defines); len(ds) > 0 {
		r.Diags = append(r.Diags, ds...)
		return r, nil
	}
	for _, s := range Stages[1:] {
		r.Diags = append(r.Diags, s.run(r, opt)...)
		r.Stopped = s.Name
		if r.Diags.HasErrors() || s.Name == opt.StopAfter {
			break
		}
	}
	return r, nil
}

// applyDefines overrides the main file's lets named in defines.
func applyDefines(r *Result, defines map[string]string) diag.List {
	var names []string
	for n := range defines {
		names = append(names, n)
	}
	sort.Strings(names)
	var ds diag.List
	at := diag.RangeAt(r.Program.Main.AST.Pos, 0)
	for _, n := range names {
		r.Program.AddSource("-D "+n, []byte(defines[n]))
		e, perr := parser.ParseExpr("-D "+n, defines[n])
		if perr != nil {
			ds = append(ds, &diag.Diagnostic{Code: diag.CodeDefine, Summary: fmt.Sprintf("-D %s=%s: %s", n, defines[n], perr[0].Summary), Subject: at})
			continue
		}
		var lets []string
		for _, d := range r.Program.Main.AST.Decls {
			if d.Let != nil {
				lets = append(lets, d.Let.Name.Name)
			}
		}
		old, d := r.Evaluator.Let(r.Program.Main, n)
		if d != nil {
			ds = append(ds, d)
			continue
		}
		if old == nil || !r.Evaluator.Override(r.Program.Main, n, e) {
			dg := &diag.Diagnostic{Code: diag.CodeDefine, Summary: fmt.Sprintf("-D %s: %s has no top-level let %s", n, r.Source, n), Subject: at}
			if s := diag.Suggest(n, lets); s != "" {
				dg.Hint = fmt.Sprintf("did you mean %q?", s)
			}
			ds = append(ds, dg)
			continue
		}
		v, d := r.Evaluator.Let(r.Program.Main, n)
		if d != nil {
			ds = append(ds, d)
			continue
		}
		if !eval.SameKind(old, v) {
			ds = append(ds, &diag.Diagnostic{Code: diag.CodeDefine, Subject: at,
				Summary: fmt.Sprintf("-D %s=%s: the circuit's %s is %s, the new value %s", n, defines[n], n, eval.Format(old), eval.Format(v))})
		}
	}
	return ds
}

func runEval(r *Result, opt Options) diag.List {
	if r.Program.Circuit() == nil {
		return diag.List{{Code: diag.CodeBuild, Summary: "a library has no network to build; build a circuit", Subject: diag.RangeAt(r.Program.Main.AST.Pos, 0)}}
	}
	for _, d := range r.Program.Main.AST.Decls {
		if d.Let != nil {
			if _, dg := r.Evaluator.Let(r.Program.Main, d.Let.Name.Name); dg != nil {
				return diag.List{dg}
			}
		}
	}
	return nil
}

func runExpand(r *Result, opt Options) diag.List {
	n, ds := expand.Expand(r.Program, r.Evaluator)
	r.Network = n
	if ds.HasErrors() {
		return ds
	}
	plan, pds := experiment.Resolve(r.Program, r.Evaluator, n)
	r.Experiments = plan
	return append(ds, pds...)
}

func runEmit(r *Result, opt Options) diag.List {
	if r.Network.Input.Name == "" {
		return nil // a circuit that only edits reference models has no model of its own
	}
	r.Model = emit.Standalone(r.Lowered, emit.Meta{Source: r.Source, SourceSHA256: r.SHA256, Compiler: "circc " + Version})
	b, err := onnx.Marshal(r.Model)
	if err != nil {
		return diag.List{{Code: diag.CodeInternal, Summary: "encoding the model: " + err.Error(), Subject: diag.RangeAt(r.Program.Main.AST.Pos, 0)}}
	}
	r.ONNX = b
	return nil
}

func dumpCheck(r *Result, w io.Writer, opt Options) {
	fmt.Fprintf(w, "circuit %s (%s sha256 %s)\n", r.Program.Main.AST.Header.Name.Name, r.Source, r.SHA256)
	for _, l := range r.Program.Layers() {
		fmt.Fprintf(w, "layer %s %s", l.Name, l.Op)
		if l.Kernel > 0 {
			fmt.Fprintf(w, " %dx%d", l.Kernel, l.Kernel)
		}
		for _, f := range l.Families {
			t := ""
			if f.Template {
				t = " template"
			}
			fmt.Fprintf(w, " | %s %d%s", f.Name, f.Units, t)
		}
		fmt.Fprintln(w)
	}
}

func dumpEval(r *Result, w io.Writer, opt Options) {
	for _, d := range r.Program.Main.AST.Decls {
		if d.Let != nil {
			v, _ := r.Evaluator.Let(r.Program.Main, d.Let.Name.Name) // evaluated without error by the eval stage
			fmt.Fprintf(w, "let %s = %s\n", d.Let.Name.Name, eval.Format(v))
		}
	}
}

func dumpEmit(r *Result, w io.Writer, opt Options) {
	m := r.Model
	g := m.GetGraph()
	fmt.Fprintf(w, "model ir %d opset %d producer %s %s, %d bytes\n", m.GetIrVersion(), m.GetOpsetImport()[0].GetVersion(), m.GetProducerName(), m.GetProducerVersion(), len(r.ONNX))
	props := m.GetMetadataProps()
	sort.Slice(props, func(i, j int) bool { return props[i].GetKey() < props[j].GetKey() })
	for _, p := range props {
		fmt.Fprintf(w, "meta %s = %s\n", p.GetKey(), p.GetValue())
	}
	for _, in := range g.GetInput() {
		fmt.Fprintf(w, "input %s %s\n", in.GetName(), shapeOf(in))
	}
	for _, t := range g.GetInitializer() {
		fmt.Fprintf(w, "initializer %s %v: %s\n", t.GetName(), t.GetDims(), t.GetDocString())
	}
	for _, n := range g.GetNode() {
		var attrs []string
		for _, a := range n.GetAttribute() {
			if len(a.GetInts()) > 0 {
				attrs = append(attrs, fmt.Sprintf("%s=%v", a.GetName(), a.GetInts()))
			} else {
				attrs = append(attrs, fmt.Sprintf("%s=%d", a.GetName(), a.GetI()))
			}
		}
		fmt.Fprintf(w, "node %s %s(%s) -> %s %s\n", n.GetName(), n.GetOpType(), strings.Join(n.GetInput(), ", "), strings.Join(n.GetOutput(), ", "), strings.Join(attrs, " "))
	}
	for _, o := range g.GetOutput() {
		fmt.Fprintf(w, "output %s %s\n", o.GetName(), shapeOf(o))
	}
}

func shapeOf(v *onnxpb.ValueInfoProto) string {
	var dims []string
	for _, d := range v.GetType().GetTensorType().GetShape().GetDim() {
		if p := d.GetDimParam(); p != "" {
			dims = append(dims, p)
		} else {
			dims = append(dims, fmt.Sprint(d.GetDimValue()))
		}
	}
	return "[" + strings.Join(dims, ", ") + "]"
}
