//! The arithmetic language of `calc`: a tokenizer and a recursive-descent evaluator over
//! `f64`, with limits on input length, nesting depth and magnitude. Pure functions over
//! strings; no eval, no allocation beyond the token list, no I/O.
//!
//! Grammar, loosest binding first:
//! ```text
//! sum     = product (("+" | "-") product)*
//! product = signed (("*" | "/" | "%") signed)*
//! signed  = ("-" | "+") signed | power
//! power   = atom (("^" | "**") signed)?        right-associative: 2^3^2 = 2^9
//! atom    = number | constant | function "(" sum ("," sum)* ")" | "(" sum ")"
//! ```
//! so `-2^2` is -4 and `2^-1` is 0.5, as in mathematics.

use std::fmt;

/// Bounds on what one evaluation may cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Longest expression accepted, in characters.
    pub max_chars: usize,
    /// Deepest nesting of parentheses, function calls, powers and signs.
    pub max_depth: usize,
    /// Largest magnitude any step of the calculation may reach.
    pub max_magnitude: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_chars: 4096,
            max_depth: 64,
            max_magnitude: 1e300,
        }
    }
}

/// Why an expression could not be evaluated. `position` is a 1-based character column.
#[derive(Debug, Clone, PartialEq)]
pub enum CalcError {
    Empty,
    TooLong {
        chars: usize,
        limit: usize,
    },
    TooDeep {
        limit: usize,
        position: usize,
    },
    UnexpectedChar {
        found: char,
        position: usize,
    },
    BadNumber {
        text: String,
        position: usize,
    },
    Expected {
        what: &'static str,
        found: String,
        position: usize,
    },
    UnknownName {
        name: String,
        position: usize,
    },
    NotAFunction {
        name: String,
        position: usize,
    },
    MissingCall {
        name: String,
        position: usize,
    },
    Arity {
        name: String,
        expected: &'static str,
        got: usize,
        position: usize,
    },
    DivisionByZero {
        position: usize,
    },
    Domain {
        what: String,
        position: usize,
    },
    TooLarge {
        step: String,
        limit: f64,
        position: usize,
    },
}

const FUNCTIONS: &str = "sqrt, abs, round, floor, ceil, ln, log10, sin, cos, tan, min, max";

impl fmt::Display for CalcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(
                f,
                "The expression is empty. Give one such as \"2 * (3 + 4)\"."
            ),
            Self::TooLong { chars, limit } => write!(
                f,
                "The expression is {chars} characters long; the limit is {limit}. Split the \
                 calculation into smaller steps."
            ),
            Self::TooDeep { limit, position } => write!(
                f,
                "The expression nests deeper than {limit} levels (parentheses, function calls, \
                 powers or signs) at character {position}. Simplify it or split it into steps."
            ),
            Self::UnexpectedChar { found, position } => write!(
                f,
                "Unexpected character {found:?} at character {position}. Use numbers, \
                 + - * / % ^, parentheses, commas between function arguments, the constants \
                 pi and e, and the functions {FUNCTIONS}."
            ),
            Self::BadNumber { text, position } => {
                write!(
                    f,
                    "\"{text}\" at character {position} is not a valid number."
                )
            }
            Self::Expected {
                what,
                found,
                position,
            } => write!(f, "Expected {what} at character {position}, found {found}."),
            Self::UnknownName { name, position } => write!(
                f,
                "Unknown name \"{name}\" at character {position}. The constants are pi and e; \
                 the functions are {FUNCTIONS}. There are no variables."
            ),
            Self::NotAFunction { name, position } => write!(
                f,
                "\"{name}\" at character {position} is a constant, not a function; write it \
                 without parentheses."
            ),
            Self::MissingCall { name, position } => write!(
                f,
                "The function \"{name}\" at character {position} needs its arguments in \
                 parentheses, such as {name}(2)."
            ),
            Self::Arity {
                name,
                expected,
                got,
                position,
            } => write!(
                f,
                "{name}() at character {position} takes {expected}, but was given {got}."
            ),
            Self::DivisionByZero { position } => {
                write!(f, "Division by zero at character {position}.")
            }
            Self::Domain { what, position } => {
                write!(f, "{what} at character {position} has no real result.")
            }
            Self::TooLarge {
                step,
                limit,
                position,
            } => write!(
                f,
                "The step {step} at character {position} goes beyond {limit:e}, the largest \
                 magnitude calc handles. Rescale the numbers or work with logarithms."
            ),
        }
    }
}

impl std::error::Error for CalcError {}

/// Evaluates `input` within `limits`.
pub fn evaluate(input: &str, limits: &Limits) -> Result<f64, CalcError> {
    // Count no further than the limit: a megabyte of input costs nothing more than this.
    let chars = input.chars().take(limits.max_chars + 1).count();
    if chars > limits.max_chars {
        return Err(CalcError::TooLong {
            chars: input.chars().count(),
            limit: limits.max_chars,
        });
    }
    let tokens = tokenize(input)?;
    if tokens.len() == 1 {
        return Err(CalcError::Empty);
    }
    let mut parser = Parser {
        tokens: &tokens,
        next: 0,
        depth: 0,
        limits,
    };
    let value = parser.sum()?;
    match parser.peek() {
        Token {
            kind: Kind::End, ..
        } => Ok(value),
        token => Err(parser.expected("an operator or the end of the expression", token)),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Number(f64),
    Name(String),
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Caret,
    Open,
    Close,
    Comma,
    End,
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    kind: Kind,
    /// 1-based character column where the token starts.
    position: usize,
}

fn tokenize(input: &str) -> Result<Vec<Token>, CalcError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let position = i + 1;
        let single = match c {
            '+' => Some(Kind::Plus),
            '-' | '−' => Some(Kind::Minus),
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 1;
                Some(Kind::Caret)
            }
            '*' | '×' => Some(Kind::Star),
            '/' | '÷' => Some(Kind::Slash),
            '%' => Some(Kind::Percent),
            '^' => Some(Kind::Caret),
            '(' => Some(Kind::Open),
            ')' => Some(Kind::Close),
            ',' => Some(Kind::Comma),
            _ => None,
        };
        if let Some(kind) = single {
            tokens.push(Token { kind, position });
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            i = scan_number(&chars, i);
            let text: String = chars[start..i].iter().collect();
            let value = text.parse::<f64>().map_err(|_| CalcError::BadNumber {
                text: text.clone(),
                position,
            })?;
            tokens.push(Token {
                kind: Kind::Number(value),
                position,
            });
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token {
                kind: Kind::Name(chars[start..i].iter().collect::<String>().to_lowercase()),
                position,
            });
        } else {
            return Err(CalcError::UnexpectedChar { found: c, position });
        }
    }
    tokens.push(Token {
        kind: Kind::End,
        position: chars.len() + 1,
    });
    Ok(tokens)
}

/// End of the number starting at `i`: digits and dots, then an optional exponent. Trailing
/// letters and extra dots are taken too, so that "1.2.3" or "2x" is one bad number.
fn scan_number(chars: &[char], mut i: usize) -> usize {
    let digits_or_dot = |c: char| c.is_ascii_digit() || c == '.';
    while i < chars.len() && digits_or_dot(chars[i]) {
        i += 1;
    }
    if i < chars.len() && matches!(chars[i], 'e' | 'E') {
        let mut j = i + 1;
        if j < chars.len() && matches!(chars[j], '+' | '-') {
            j += 1;
        }
        if j < chars.len() && chars[j].is_ascii_digit() {
            i = j;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
        i += 1;
    }
    i
}

struct Parser<'a> {
    tokens: &'a [Token],
    next: usize,
    depth: usize,
    limits: &'a Limits,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        // The token list always ends with `End`, and `advance` never moves past it.
        &self.tokens[self.next.min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if token.kind != Kind::End {
            self.next += 1;
        }
        token
    }

    fn expected(&self, what: &'static str, token: &Token) -> CalcError {
        CalcError::Expected {
            what,
            found: describe(&token.kind),
            position: token.position,
        }
    }

    /// Runs `inner` one nesting level deeper, refusing past the depth limit.
    fn nested<T>(
        &mut self,
        position: usize,
        inner: impl FnOnce(&mut Self) -> Result<T, CalcError>,
    ) -> Result<T, CalcError> {
        if self.depth >= self.limits.max_depth {
            return Err(CalcError::TooDeep {
                limit: self.limits.max_depth,
                position,
            });
        }
        self.depth += 1;
        let result = inner(self);
        self.depth -= 1;
        result
    }

    fn checked(
        &self,
        value: f64,
        step: impl FnOnce() -> String,
        position: usize,
    ) -> Result<f64, CalcError> {
        if value.is_nan() {
            return Err(CalcError::Domain {
                what: step(),
                position,
            });
        }
        if value.is_infinite() || value.abs() > self.limits.max_magnitude {
            return Err(CalcError::TooLarge {
                step: step(),
                limit: self.limits.max_magnitude,
                position,
            });
        }
        Ok(value)
    }

    fn sum(&mut self) -> Result<f64, CalcError> {
        let mut value = self.product()?;
        loop {
            let token = self.peek().clone();
            let add = match token.kind {
                Kind::Plus => true,
                Kind::Minus => false,
                _ => return Ok(value),
            };
            self.advance();
            let right = self.product()?;
            let (result, op) = if add {
                (value + right, '+')
            } else {
                (value - right, '-')
            };
            value = self.checked(result, || step(value, op, right), token.position)?;
        }
    }

    fn product(&mut self) -> Result<f64, CalcError> {
        let mut value = self.signed()?;
        loop {
            let token = self.peek().clone();
            let op = match token.kind {
                Kind::Star => '*',
                Kind::Slash => '/',
                Kind::Percent => '%',
                _ => return Ok(value),
            };
            self.advance();
            let right = self.signed()?;
            let result = match op {
                '*' => value * right,
                _ if right == 0.0 => {
                    return Err(CalcError::DivisionByZero {
                        position: token.position,
                    });
                }
                '/' => value / right,
                // Python's convention: the remainder takes the sign of the divisor.
                _ => value - right * (value / right).floor(),
            };
            value = self.checked(result, || step(value, op, right), token.position)?;
        }
    }

    fn signed(&mut self) -> Result<f64, CalcError> {
        let token = self.peek().clone();
        match token.kind {
            Kind::Minus => {
                self.advance();
                self.nested(token.position, |p| p.signed().map(|v| -v))
            }
            Kind::Plus => {
                self.advance();
                self.nested(token.position, Self::signed)
            }
            _ => self.power(),
        }
    }

    fn power(&mut self) -> Result<f64, CalcError> {
        let base = self.atom()?;
        let token = self.peek().clone();
        if token.kind != Kind::Caret {
            return Ok(base);
        }
        self.advance();
        let exponent = self.nested(token.position, Self::signed)?;
        self.checked(
            base.powf(exponent),
            || step(base, '^', exponent),
            token.position,
        )
    }

    fn atom(&mut self) -> Result<f64, CalcError> {
        let token = self.advance();
        match token.kind {
            Kind::Number(value) => self.checked(value, || format_number(value), token.position),
            Kind::Open => {
                let value = self.nested(token.position, Self::sum)?;
                self.close(token.position)?;
                Ok(value)
            }
            Kind::Name(name) => self.name(name, token.position),
            _ => Err(self.expected("a number, a name or \"(\"", &token)),
        }
    }

    fn close(&mut self, opened_at: usize) -> Result<(), CalcError> {
        let token = self.advance();
        if token.kind == Kind::Close {
            Ok(())
        } else {
            Err(CalcError::Expected {
                what: "\")\" to close the \"(\"",
                found: format!(
                    "{} (the \"(\" is at character {opened_at})",
                    describe(&token.kind)
                ),
                position: token.position,
            })
        }
    }

    fn name(&mut self, name: String, position: usize) -> Result<f64, CalcError> {
        let constant = match name.as_str() {
            "pi" => Some(std::f64::consts::PI),
            "e" => Some(std::f64::consts::E),
            _ => None,
        };
        let calls_something = self.peek().kind == Kind::Open;
        if let Some(value) = constant {
            return if calls_something {
                Err(CalcError::NotAFunction { name, position })
            } else {
                Ok(value)
            };
        }
        let Some(function) = Function::named(&name) else {
            return Err(CalcError::UnknownName { name, position });
        };
        if !calls_something {
            return Err(CalcError::MissingCall { name, position });
        }
        let open = self.advance();
        let args = self.nested(open.position, |p| {
            let mut args = vec![p.sum()?];
            while p.peek().kind == Kind::Comma {
                p.advance();
                args.push(p.sum()?);
            }
            Ok(args)
        })?;
        self.close(open.position)?;
        function.apply(&name, &args, position, self)
    }
}

#[derive(Debug, Clone, Copy)]
enum Function {
    Unary(Unary),
    Round,
    Min,
    Max,
}

/// Functions of exactly one argument.
#[derive(Debug, Clone, Copy)]
enum Unary {
    Sqrt,
    Abs,
    Floor,
    Ceil,
    Ln,
    Log10,
    Sin,
    Cos,
    Tan,
}

impl Function {
    fn named(name: &str) -> Option<Self> {
        let unary = match name {
            "round" => return Some(Self::Round),
            "min" => return Some(Self::Min),
            "max" => return Some(Self::Max),
            "sqrt" => Unary::Sqrt,
            "abs" => Unary::Abs,
            "floor" => Unary::Floor,
            "ceil" => Unary::Ceil,
            "ln" => Unary::Ln,
            "log10" => Unary::Log10,
            "sin" => Unary::Sin,
            "cos" => Unary::Cos,
            "tan" => Unary::Tan,
            _ => return None,
        };
        Some(Self::Unary(unary))
    }

    fn apply(
        self,
        name: &str,
        args: &[f64],
        position: usize,
        parser: &Parser<'_>,
    ) -> Result<f64, CalcError> {
        let arity = |expected: &'static str| CalcError::Arity {
            name: name.to_owned(),
            expected,
            got: args.len(),
            position,
        };
        let result = match (self, args) {
            (Self::Min, [first, rest @ ..]) => rest.iter().fold(*first, |a, b| a.min(*b)),
            (Self::Max, [first, rest @ ..]) => rest.iter().fold(*first, |a, b| a.max(*b)),
            (Self::Min | Self::Max, _) => return Err(arity("at least one argument")),
            (Self::Round, [x]) => x.round(),
            (Self::Round, [x, digits]) => {
                round_to(*x, *digits).ok_or_else(|| CalcError::Domain {
                    what: format!(
                        "round({}, {}) needs 0 to 15 whole digits, and",
                        format_number(*x),
                        format_number(*digits)
                    ),
                    position,
                })?
            }
            (Self::Round, _) => return Err(arity("one or two arguments (a number, then digits)")),
            (Self::Unary(function), [x]) => {
                function.apply(*x).ok_or_else(|| CalcError::Domain {
                    what: format!("{name}({})", format_number(*x)),
                    position,
                })?
            }
            (Self::Unary(_), _) => return Err(arity("one argument")),
        };
        parser.checked(result, || format!("{name}({})", join(args)), position)
    }
}

impl Unary {
    /// The function's value, or `None` outside its real domain.
    fn apply(self, x: f64) -> Option<f64> {
        Some(match self {
            Self::Sqrt if x < 0.0 => return None,
            Self::Ln | Self::Log10 if x <= 0.0 => return None,
            Self::Sqrt => x.sqrt(),
            Self::Abs => x.abs(),
            Self::Floor => x.floor(),
            Self::Ceil => x.ceil(),
            Self::Ln => x.ln(),
            Self::Log10 => x.log10(),
            Self::Sin => x.sin(),
            Self::Cos => x.cos(),
            Self::Tan => x.tan(),
        })
    }
}

fn round_to(x: f64, digits: f64) -> Option<f64> {
    if digits.fract() != 0.0 || !(0.0..=15.0).contains(&digits) {
        return None;
    }
    let scale = 10f64.powi(digits as i32);
    Some((x * scale).round() / scale)
}

fn step(left: f64, op: char, right: f64) -> String {
    format!("{} {op} {}", format_number(left), format_number(right))
}

fn join(args: &[f64]) -> String {
    args.iter()
        .map(|a| format_number(*a))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(kind: &Kind) -> String {
    match kind {
        Kind::Number(value) => format!("the number {}", format_number(*value)),
        Kind::Name(name) => format!("the name \"{name}\""),
        Kind::End => "the end of the expression".to_owned(),
        Kind::Plus => "\"+\"".to_owned(),
        Kind::Minus => "\"-\"".to_owned(),
        Kind::Star => "\"*\"".to_owned(),
        Kind::Slash => "\"/\"".to_owned(),
        Kind::Percent => "\"%\"".to_owned(),
        Kind::Caret => "\"^\"".to_owned(),
        Kind::Open => "\"(\"".to_owned(),
        Kind::Close => "\")\"".to_owned(),
        Kind::Comma => "\",\"".to_owned(),
    }
}

/// Rounds to 15 significant digits, the precision a double carries reliably, so that
/// 0.1 + 0.2 reads 0.3.
pub fn tidy(value: f64) -> f64 {
    if value == 0.0 {
        return 0.0; // also turns -0 into 0
    }
    if !value.is_finite() {
        return value;
    }
    format!("{value:.14e}").parse().unwrap_or(value)
}

/// A number as a person would write it: integers without a fraction, very large and very
/// small numbers in exponent form.
pub fn format_number(value: f64) -> String {
    let magnitude = value.abs();
    if value == 0.0 {
        "0".to_owned()
    } else if !(1e-6..1e16).contains(&magnitude) {
        format!("{value:e}")
    } else if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(input: &str) -> Result<f64, CalcError> {
        evaluate(input, &Limits::default()).map(tidy)
    }

    fn close_to(input: &str, expected: f64) {
        let got = eval(input).unwrap_or_else(|e| panic!("{input:?} failed: {e}"));
        assert!(
            (got - expected).abs() <= 1e-12 * expected.abs().max(1.0),
            "{input:?} gave {got}, expected {expected}"
        );
    }

    #[test]
    fn operators_follow_mathematical_precedence() {
        close_to("1 + 2 * 3", 7.0);
        close_to("(1 + 2) * 3", 9.0);
        close_to("2 ^ 3 ^ 2", 512.0);
        close_to("2 ** 10", 1024.0);
        close_to("-2 ^ 2", -4.0);
        close_to("2 ^ -1", 0.5);
        close_to("10 - 4 - 3", 3.0);
        close_to("100 / 10 / 5", 2.0);
        close_to("--3", 3.0);
        close_to("+3", 3.0);
        close_to("7 % 3", 1.0);
        close_to("-7 % 3", 2.0);
        close_to("7.5 % 2", 1.5);
        close_to("1.5e3 + .5", 1500.5);
        close_to("3 × 4 ÷ 2 − 1", 5.0);
    }

    #[test]
    fn functions_and_constants_work() {
        close_to("sqrt(16)", 4.0);
        close_to("abs(-3.5)", 3.5);
        close_to("round(2.5)", 3.0);
        close_to("round(1.23456, 2)", 1.23);
        close_to("floor(-1.5)", -2.0);
        close_to("ceil(1.2)", 2.0);
        close_to("ln(e)", 1.0);
        close_to("log10(1000)", 3.0);
        close_to("sin(pi / 2)", 1.0);
        close_to("cos(0)", 1.0);
        close_to("tan(pi / 4)", 1.0);
        close_to("min(3, 1, 2)", 1.0);
        close_to("max(3, 1, 2)", 3.0);
        close_to("MAX(1, SQRT(81))", 9.0);
        close_to("2 * pi", std::f64::consts::TAU);
    }

    #[test]
    fn tidy_hides_binary_rounding_noise() {
        assert_eq!(eval("0.1 + 0.2").unwrap(), 0.3);
        assert_eq!(format_number(eval("1/3").unwrap()), "0.333333333333333");
    }

    #[test]
    fn numbers_print_as_a_person_writes_them() {
        assert_eq!(format_number(42.0), "42");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(1e20), "1e20");
        assert_eq!(format_number(1.5e-9), "1.5e-9");
        assert_eq!(format_number(123456789012345.0), "123456789012345");
    }

    #[test]
    fn a_tower_of_powers_is_refused_as_too_large() {
        let error = eval("9^9^9^9").unwrap_err();
        assert!(matches!(error, CalcError::TooLarge { .. }), "{error:?}");
        assert!(error.to_string().contains("9 ^ 387420489"), "{error}");
    }

    #[test]
    fn a_megabyte_expression_is_refused_by_length() {
        let huge = "1+".repeat(512 * 1024) + "1";
        let error = eval(&huge).unwrap_err();
        assert_eq!(
            error,
            CalcError::TooLong {
                chars: huge.len(),
                limit: 4096
            }
        );
    }

    #[test]
    fn ten_thousand_nested_parentheses_are_refused() {
        let nested = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(matches!(eval(&nested), Err(CalcError::TooLong { .. })));
        // Within the length limit, the depth limit stops it instead.
        let limits = Limits {
            max_chars: 100_000,
            ..Limits::default()
        };
        let error = evaluate(&nested, &limits).unwrap_err();
        assert!(
            matches!(error, CalcError::TooDeep { limit: 64, .. }),
            "{error:?}"
        );
    }

    #[test]
    fn deep_chains_of_signs_and_powers_are_bounded_too() {
        assert!(matches!(
            eval(&"-".repeat(200)),
            Err(CalcError::TooDeep { .. })
        ));
        let powers = vec!["1"; 200].join("^");
        assert!(matches!(eval(&powers), Err(CalcError::TooDeep { .. })));
        let calls = format!("{}1{}", "abs(".repeat(100), ")".repeat(100));
        assert!(matches!(eval(&calls), Err(CalcError::TooDeep { .. })));
        // Long flat expressions are fine: they do not nest.
        close_to(&vec!["1"; 1000].join("+"), 1000.0);
    }

    #[test]
    fn undefined_operations_name_the_step() {
        assert_eq!(
            eval("1 / 0"),
            Err(CalcError::DivisionByZero { position: 3 })
        );
        assert!(matches!(
            eval("5 % 0"),
            Err(CalcError::DivisionByZero { .. })
        ));
        let error = eval("sqrt(-4)").unwrap_err();
        assert_eq!(
            error.to_string(),
            "sqrt(-4) at character 1 has no real result."
        );
        assert!(matches!(eval("ln(0)"), Err(CalcError::Domain { .. })));
        assert!(matches!(eval("log10(-1)"), Err(CalcError::Domain { .. })));
        assert!(matches!(
            eval("(-8) ^ (1/3)"),
            Err(CalcError::Domain { .. })
        ));
        assert!(matches!(
            eval("round(1.5, 0.5)"),
            Err(CalcError::Domain { .. })
        ));
        assert!(matches!(eval("1e400"), Err(CalcError::TooLarge { .. })));
        assert!(matches!(
            eval("1e200 * 1e200"),
            Err(CalcError::TooLarge { .. })
        ));
    }

    #[test]
    fn syntax_errors_say_where_and_what() {
        assert_eq!(eval(""), Err(CalcError::Empty));
        assert_eq!(eval("   "), Err(CalcError::Empty));
        let error = eval("2 + * 3").unwrap_err();
        assert_eq!(
            error.to_string(),
            "Expected a number, a name or \"(\" at character 5, found \"*\"."
        );
        assert!(matches!(
            eval("(1 + 2"),
            Err(CalcError::Expected { position: 7, .. })
        ));
        assert!(matches!(
            eval("1 + 2)"),
            Err(CalcError::Expected { position: 6, .. })
        ));
        assert!(matches!(eval("2 3"), Err(CalcError::Expected { .. })));
        assert!(matches!(eval("1.2.3"), Err(CalcError::BadNumber { .. })));
        assert!(matches!(eval("2x"), Err(CalcError::BadNumber { .. })));
        assert!(matches!(eval("x + 1"), Err(CalcError::UnknownName { .. })));
        assert!(matches!(eval("pi(2)"), Err(CalcError::NotAFunction { .. })));
        assert!(matches!(eval("sqrt 4"), Err(CalcError::MissingCall { .. })));
        assert!(matches!(
            eval("sqrt(1, 2)"),
            Err(CalcError::Arity { got: 2, .. })
        ));
        assert!(matches!(eval("max()"), Err(CalcError::Expected { .. })));
        assert!(matches!(
            eval("1 = 1"),
            Err(CalcError::UnexpectedChar { found: '=', .. })
        ));
        assert!(matches!(
            eval("__import__('os')"),
            Err(CalcError::UnexpectedChar { .. })
        ));
    }
}
