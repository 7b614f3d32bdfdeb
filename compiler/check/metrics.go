package check

import "sort"

// Metric is a quantity a claim (expect LAYER.FAMILY: …) is about. The
// checker accepts exactly the metrics of this table, and verify measures
// them by these constants.
type Metric string

const (
	MetricPearsonR          Metric = "pearson_r"
	MetricOrientationError  Metric = "orientation_error"
	MetricEcho              Metric = "echo"
	MetricWidth             Metric = "width"
	MetricCoverage          Metric = "coverage"
	MetricSpacingError      Metric = "spacing_error"
	MetricOverlap           Metric = "overlap"
	MetricCurvePreference   Metric = "curve_preference"
	MetricEquivarianceError Metric = "equivariance_error"
	MetricTop1              Metric = "top1"
	MetricTop5              Metric = "top5"
)

// metrics gives each metric's dimension: a claim's threshold must have it.
var metrics = map[Metric]Dim{
	MetricPearsonR: dimless, MetricOrientationError: angle, MetricEcho: dimless, MetricWidth: angle,
	MetricCoverage: dimless, MetricSpacingError: angle, MetricOverlap: dimless, MetricCurvePreference: dimless,
	MetricEquivarianceError: dimless, MetricTop1: dimless, MetricTop5: dimless,
}

// MeasuredByEval reports whether circc eval, not verify, measures m.
func (m Metric) MeasuredByEval() bool { return m == MetricTop1 || m == MetricTop5 }

// LookupMetric returns the metric of that name.
func LookupMetric(name string) (Metric, bool) {
	_, ok := metrics[Metric(name)]
	return Metric(name), ok
}

// MetricNames lists the metrics in name order.
func MetricNames() []string {
	var out []string
	for n := range metrics {
		out = append(out, string(n))
	}
	sort.Strings(out)
	return out
}

// Aggregate reduces a claim's values to one ("" : every value must hold).
type Aggregate string

const (
	AggEvery  Aggregate = ""
	AggMax    Aggregate = "max"
	AggMean   Aggregate = "mean"
	AggMedian Aggregate = "median"
	AggMin    Aggregate = "min"
)

var aggregates = []string{string(AggMax), string(AggMean), string(AggMedian), string(AggMin)}
