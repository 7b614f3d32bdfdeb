package verify

// Pair is a hand-made unit and its natural counterpart.
type Pair struct {
	Unit                string   `json:"unit"`
	Natural             string   `json:"natural"` // LAYER:CHANNEL, or "none"
	Channel             int      `json:"channel"` // -1 for none
	PearsonR            Float    `json:"pearson_r"`
	OrientationErrorDeg Float    `json:"orientation_error_deg"`
	Overlap             *float64 `json:"overlap,omitempty"`
	Handmade            Tuning   `json:"handmade"`
	NaturalTuning       Tuning   `json:"natural_tuning"`
	// NaturalReading holds the figures the membership tests read.
	NaturalReading *Reading `json:"natural_reading,omitempty"`
	// Genuine says whether the natural unit is a member of the family's
	// kind (Kind's tests; pairs are made among members only, so a pair
	// is genuine unless it has no partner); NotGenuine says why not.
	Genuine    bool     `json:"genuine"`
	NotGenuine string   `json:"not_genuine,omitempty"`
	HandTop    []string `json:"handmade_top_photos,omitempty"`
	NaturalTop []string `json:"natural_top_photos,omitempty"`
	// Cross holds the pair's feature visualizations and cross-activation
	// (verify --vis).
	Cross *Cross `json:"cross_activation,omitempty"`
}

// Family is the verification of one matched family.
type Family struct {
	Family                 string   `json:"family"`
	Layer                  string   `json:"layer"`
	NaturalLayer           string   `json:"natural_layer"`
	Stimuli                string   `json:"stimuli"`
	Matching               Matching `json:"matching"`
	Pos                    string   `json:"pos"`
	Pairs                  []*Pair  `json:"pairs"`
	Coverage               Float    `json:"coverage"`
	SpacingErrorDeg        Float    `json:"spacing_error_deg"`
	NaturalSpacingErrorDeg Float    `json:"natural_spacing_error_deg"`
	EquivarianceError      *float64 `json:"equivariance_error,omitempty"`
	// PeriodDeg is 180 for an axial family (its units answer a shape and
	// its half-turn alike), else 360: orientation errors, spacing and
	// coverage are taken on that circle.
	PeriodDeg    float64   `json:"period_deg"`
	Orientations []float64 `json:"orientations"`
	OtherAxis    Axis      `json:"other_axis"`
	// Kind names the membership tests (the stimulus set's); Members
	// counts the natural layer's units that pass them.
	Kind    string `json:"kind"`
	Rules   string `json:"rules"`
	Members int    `json:"members"`
	// MemberList is every member of the natural layer with its strength,
	// strongest first: the template-free scan the pairs are drawn from.
	MemberList []Member `json:"member_list,omitempty"`
	// Layers holds each layer's members against its layer-only null,
	// ordered by excess (a search: every layer; else the one matched);
	// Found says whether the natural layer is found by the rule (FoundP…),
	// and Versus compares the two layers with the most excess.
	Layers []LayerEvidence `json:"layers,omitempty"`
	Found  *bool           `json:"found,omitempty"`
	Versus *Comparison     `json:"versus,omitempty"`
	// Profile is a search's resemblance by layer: the mean r of the
	// family's pairs there (among members).
	Profile []LayerScore `json:"profile,omitempty"`
	// Genuine counts the pairs with a member partner; GenuineMeanR is
	// their mean r. The other hand-made units found none.
	Genuine      int   `json:"genuine"`
	GenuineMeanR Float `json:"genuine_mean_r"`
	// Portraits sums up the feature visualizations (verify --vis).
	Portraits *Portraits `json:"portraits,omitempty"`
}

// Axis names the second axis of a family's response maps.
type Axis struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// ExpectResult is one checked claim.
type ExpectResult struct {
	Claim  string `json:"claim"`
	Pos    string `json:"pos"`
	OK     bool   `json:"ok"`
	Value  Float  `json:"value"`
	Detail string `json:"detail,omitempty"`
}

// Report is the result of circc verify.
type Report struct {
	Source   string    `json:"source"`
	Against  string    `json:"against"`
	Provider string    `json:"provider"`
	OK       bool      `json:"ok"`
	Families []*Family `json:"families"`
	// Connections lay the natural circuit between matched families beside
	// the hand-made one.
	Connections []*Connection   `json:"connections,omitempty"`
	Expects     []*ExpectResult `json:"expects"`
	// Robustness holds the verdicts under other readouts (verify
	// --robustness).
	Robustness *Robustness `json:"robustness,omitempty"`
	Stimuli    int         `json:"stimuli"`
	Photos     int         `json:"photos"`
	Seconds    float64     `json:"seconds"`
}

// LayerScore is one layer's resemblance in a search: how well the
// family's units pair with the layer's members.
type LayerScore struct {
	Layer            string `json:"layer"`
	MeanR            Float  `json:"mean_r"` // NaN (null) when the layer has no members
	Coverage         Float  `json:"coverage"`
	OrientationError Float  `json:"mean_orientation_error_deg"`
}

// Matching is how a family's natural partners were chosen.
type Matching string

const (
	MatchExplicit Matching = "explicit" // the match statement lists the channels
	MatchAuto     Matching = "auto"     // one-to-one among the layer's members
	MatchSearch   Matching = "search"   // auto, in the layer a search of every layer chose
)
