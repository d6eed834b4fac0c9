//! Small arithmetic expressions for decoded functions and node signals
//! (`"x[0]*x[1]"`, `"sin(pi*x)"`, `"x**2"`, `"0.5*sin(2*pi*t)"`).
//!
//! A recursive-descent parser compiles the text once into a tree that is evaluated per
//! evaluation point (build time) or per step (nodes). Grammar, loosest binding first:
//!
//! ```text
//! expr    := compare
//! compare := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?     // 1.0 if true else 0.0
//! sum     := product (("+" | "-") product)*
//! product := unary (("*" | "/" | "%") unary)*
//! unary   := ("-" | "+") unary | power
//! power   := atom (("^" | "**") unary)?                            // right-associative
//! atom    := number | "(" expr ")" | name | name "[" integer "]" | name "(" expr ("," expr)* ")"
//! ```
//!
//! Variables: `x` (the represented value; bare `x` only for 1-D inputs), `x[i]`, and `t`
//! (time in seconds, for nodes). Constants: `pi`, `e`, `tau` (= 2π). Functions: `sin cos tan
//! asin acos atan sinh cosh tanh exp log (= ln) log10 log2 sqrt abs sign floor ceil round`
//! (one argument), `min max pow atan2` (two), `clip(v, lo, hi)` (three).

use crate::NefError;

/// A compiled expression.
#[derive(Clone, Debug)]
pub struct Expr {
    text: String,
    root: Node,
}

#[derive(Clone, Debug)]
enum Node {
    Num(f64),
    X(usize),
    T,
    Neg(Box<Node>),
    Bin(Op, Box<Node>, Box<Node>),
    Call(Func, Vec<Node>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

#[derive(Clone, Copy, Debug)]
enum Func {
    F1(fn(f64) -> f64),
    F2(fn(f64, f64) -> f64),
    Clip,
}

fn func(name: &str) -> Option<(Func, usize)> {
    use Func::*;
    Some(match name {
        "sin" => (F1(f64::sin), 1),
        "cos" => (F1(f64::cos), 1),
        "tan" => (F1(f64::tan), 1),
        "asin" | "arcsin" => (F1(f64::asin), 1),
        "acos" | "arccos" => (F1(f64::acos), 1),
        "atan" | "arctan" => (F1(f64::atan), 1),
        "sinh" => (F1(f64::sinh), 1),
        "cosh" => (F1(f64::cosh), 1),
        "tanh" => (F1(f64::tanh), 1),
        "exp" => (F1(f64::exp), 1),
        "log" | "ln" => (F1(f64::ln), 1),
        "log10" => (F1(f64::log10), 1),
        "log2" => (F1(f64::log2), 1),
        "sqrt" => (F1(f64::sqrt), 1),
        "abs" => (F1(f64::abs), 1),
        "sign" => (
            F1(|v| {
                if v > 0.0 {
                    1.0
                } else if v < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }),
            1,
        ),
        "floor" => (F1(f64::floor), 1),
        "ceil" => (F1(f64::ceil), 1),
        "round" => (F1(f64::round), 1),
        "min" => (F2(f64::min), 2),
        "max" => (F2(f64::max), 2),
        "pow" => (F2(f64::powf), 2),
        "atan2" | "arctan2" => (F2(f64::atan2), 2),
        "clip" => (Clip, 3),
        _ => return None,
    })
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    dims: usize,
    allow_t: bool,
}

type PResult<T> = Result<T, (usize, String)>;

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.pos).copied()
    }
    fn eat(&mut self, tok: &str) -> bool {
        self.skip_ws();
        if self.s[self.pos..].starts_with(tok.as_bytes()) {
            self.pos += tok.len();
            true
        } else {
            false
        }
    }
    fn expect(&mut self, tok: &str) -> PResult<()> {
        if self.eat(tok) {
            Ok(())
        } else {
            Err((self.pos, format!("expected `{tok}`")))
        }
    }

    fn compare(&mut self) -> PResult<Node> {
        let lhs = self.sum()?;
        for (tok, op) in [
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<", Op::Lt),
            (">", Op::Gt),
        ] {
            if self.eat(tok) {
                let rhs = self.sum()?;
                return Ok(Node::Bin(op, Box::new(lhs), Box::new(rhs)));
            }
        }
        Ok(lhs)
    }

    fn sum(&mut self) -> PResult<Node> {
        let mut lhs = self.product()?;
        loop {
            let op = match self.peek() {
                Some(b'+') => Op::Add,
                Some(b'-') => Op::Sub,
                _ => return Ok(lhs),
            };
            self.pos += 1;
            let rhs = self.product()?;
            lhs = Node::Bin(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn product(&mut self) -> PResult<Node> {
        let mut lhs = self.unary()?;
        loop {
            self.skip_ws();
            let op = match self.peek() {
                Some(b'*') if !self.s[self.pos..].starts_with(b"**") => Op::Mul,
                Some(b'/') => Op::Div,
                Some(b'%') => Op::Rem,
                _ => return Ok(lhs),
            };
            self.pos += 1;
            let rhs = self.unary()?;
            lhs = Node::Bin(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn unary(&mut self) -> PResult<Node> {
        if self.eat("-") {
            return Ok(Node::Neg(Box::new(self.unary()?)));
        }
        if self.eat("+") {
            return self.unary();
        }
        self.power()
    }

    fn power(&mut self) -> PResult<Node> {
        let base = self.atom()?;
        if self.eat("**") || self.eat("^") {
            let exp = self.unary()?;
            return Ok(Node::Bin(Op::Pow, Box::new(base), Box::new(exp)));
        }
        Ok(base)
    }

    fn atom(&mut self) -> PResult<Node> {
        let start = {
            self.skip_ws();
            self.pos
        };
        match self.peek() {
            None => Err((start, "unexpected end of expression".into())),
            Some(b'(') => {
                self.pos += 1;
                let e = self.compare()?;
                self.expect(")")?;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() || c == b'.' => {
                let mut end = self.pos;
                while end < self.s.len() && (self.s[end].is_ascii_digit() || self.s[end] == b'.') {
                    end += 1;
                }
                if end < self.s.len() && (self.s[end] == b'e' || self.s[end] == b'E') {
                    let mut e = end + 1;
                    if e < self.s.len() && (self.s[e] == b'+' || self.s[e] == b'-') {
                        e += 1;
                    }
                    if e < self.s.len() && self.s[e].is_ascii_digit() {
                        while e < self.s.len() && self.s[e].is_ascii_digit() {
                            e += 1;
                        }
                        end = e;
                    }
                }
                let text = std::str::from_utf8(&self.s[self.pos..end]).unwrap_or("");
                let v: f64 = text
                    .parse()
                    .map_err(|_| (start, format!("bad number `{text}`")))?;
                self.pos = end;
                Ok(Node::Num(v))
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let mut end = self.pos;
                while end < self.s.len()
                    && (self.s[end].is_ascii_alphanumeric() || self.s[end] == b'_')
                {
                    end += 1;
                }
                let name = std::str::from_utf8(&self.s[self.pos..end])
                    .unwrap_or("")
                    .to_string();
                self.pos = end;
                let name = name.strip_prefix("np_").unwrap_or(&name).to_string();
                if self.eat("[") {
                    if name != "x" {
                        return Err((start, format!("only `x` can be indexed, not `{name}`")));
                    }
                    self.skip_ws();
                    let mut end = self.pos;
                    while end < self.s.len() && self.s[end].is_ascii_digit() {
                        end += 1;
                    }
                    let idx: usize = std::str::from_utf8(&self.s[self.pos..end])
                        .unwrap_or("")
                        .parse()
                        .map_err(|_| (self.pos, "expected an index".to_string()))?;
                    self.pos = end;
                    self.expect("]")?;
                    if idx >= self.dims {
                        return Err((
                            start,
                            format!(
                                "x[{idx}] is out of range: the input has {} dimension(s)",
                                self.dims
                            ),
                        ));
                    }
                    return Ok(Node::X(idx));
                }
                if self.eat("(") {
                    let (f, arity) =
                        func(&name).ok_or((start, format!("unknown function `{name}`")))?;
                    let mut args = vec![self.compare()?];
                    while self.eat(",") {
                        args.push(self.compare()?);
                    }
                    self.expect(")")?;
                    if args.len() != arity {
                        return Err((
                            start,
                            format!("`{name}` takes {arity} argument(s), got {}", args.len()),
                        ));
                    }
                    return Ok(Node::Call(f, args));
                }
                match name.as_str() {
                    "x" if self.dims == 1 => Ok(Node::X(0)),
                    "x" => Err((
                        start,
                        format!("`x` is {}-D: write x[0] … x[{}]", self.dims, self.dims - 1),
                    )),
                    "t" if self.allow_t => Ok(Node::T),
                    "pi" => Ok(Node::Num(std::f64::consts::PI)),
                    "tau" => Ok(Node::Num(std::f64::consts::TAU)),
                    "e" => Ok(Node::Num(std::f64::consts::E)),
                    _ => Err((start, format!("unknown name `{name}`"))),
                }
            }
            Some(c) => Err((start, format!("unexpected character `{}`", c as char))),
        }
    }
}

impl PartialEq for Expr {
    /// Two expressions are equal when their source texts are.
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Expr {
    /// Parses `text` as a function of a `dims`-dimensional `x` (and of time `t` when
    /// `allow_t`). `object`/`key` name where the expression came from, for errors.
    pub fn parse(
        text: &str,
        dims: usize,
        allow_t: bool,
        object: &str,
        key: &str,
    ) -> Result<Self, NefError> {
        let cleaned = text.replace("np.", "np_").replace("math.", "np_");
        let mut p = Parser {
            s: cleaned.as_bytes(),
            pos: 0,
            dims,
            allow_t,
        };
        let err = |(pos, msg): (usize, String)| NefError::Expr {
            object: object.into(),
            key: key.into(),
            expr: text.into(),
            pos,
            msg,
        };
        let root = p.compare().map_err(err)?;
        if p.peek().is_some() {
            return Err(err((p.pos, "unexpected text after the expression".into())));
        }
        Ok(Self {
            text: text.to_string(),
            root,
        })
    }

    /// The source text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Evaluates at represented value `x` and time `t`.
    pub fn eval(&self, x: &[f64], t: f64) -> f64 {
        eval(&self.root, x, t)
    }
}

fn eval(n: &Node, x: &[f64], t: f64) -> f64 {
    match n {
        Node::Num(v) => *v,
        Node::X(i) => x[*i],
        Node::T => t,
        Node::Neg(a) => -eval(a, x, t),
        Node::Bin(op, a, b) => {
            let (a, b) = (eval(a, x, t), eval(b, x, t));
            let bool = |c: bool| if c { 1.0 } else { 0.0 };
            match op {
                Op::Add => a + b,
                Op::Sub => a - b,
                Op::Mul => a * b,
                Op::Div => a / b,
                Op::Rem => a.rem_euclid(b),
                Op::Pow => a.powf(b),
                Op::Lt => bool(a < b),
                Op::Le => bool(a <= b),
                Op::Gt => bool(a > b),
                Op::Ge => bool(a >= b),
                Op::Eq => bool(a == b),
                Op::Ne => bool(a != b),
            }
        }
        Node::Call(f, args) => match f {
            Func::F1(f) => f(eval(&args[0], x, t)),
            Func::F2(f) => f(eval(&args[0], x, t), eval(&args[1], x, t)),
            Func::Clip => eval(&args[0], x, t)
                .max(eval(&args[1], x, t))
                .min(eval(&args[2], x, t)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(s: &str, x: &[f64]) -> f64 {
        Expr::parse(s, x.len(), true, "o", "k")
            .unwrap()
            .eval(x, 0.25)
    }

    #[test]
    fn arithmetic_and_precedence() {
        assert_eq!(ev("1 + 2*3", &[0.0]), 7.0);
        assert_eq!(ev("(1 + 2)*3", &[0.0]), 9.0);
        assert_eq!(ev("-2**2", &[0.0]), -4.0);
        assert_eq!(ev("2^3^2", &[0.0]), 512.0);
        assert_eq!(ev("2**-1", &[0.0]), 0.5);
        assert_eq!(ev("7 % 3 - 10/4", &[0.0]), 1.0 - 2.5);
        assert_eq!(ev("1e-3 * 2E2", &[0.0]), 0.2);
        assert_eq!(ev("x[0] > 0.5", &[0.7]), 1.0);
        assert_eq!(ev("x <= 0", &[0.7]), 0.0);
    }

    #[test]
    fn variables_constants_functions() {
        assert_eq!(ev("x[0]*x[1]", &[0.5, -0.4]), -0.2);
        assert!((ev("sin(pi*x)", &[0.5]) - 1.0).abs() < 1e-15);
        assert!((ev("np.sin(tau*t)", &[0.0]) - 1.0).abs() < 1e-15);
        assert_eq!(ev("x**2", &[-3.0]), 9.0);
        assert_eq!(ev("clip(x, -0.5, 0.5)", &[0.9]), 0.5);
        assert_eq!(ev("max(x[0], x[1]) + abs(-1)", &[0.1, 0.3]), 1.3);
        assert!((ev("exp(log(e))", &[0.0]) - std::f64::consts::E).abs() < 1e-14);
        assert!((ev("atan2(1, 1)", &[0.0]) - std::f64::consts::FRAC_PI_4).abs() < 1e-15);
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = |s: &str, d| {
            Expr::parse(s, d, false, "conn", "function")
                .unwrap_err()
                .to_string()
        };
        assert!(e("x[2]", 2).contains("out of range"));
        assert!(e("x", 2).contains("x[0]"));
        assert!(e("foo(x)", 1).contains("unknown function `foo`"));
        assert!(e("sin(x, x)", 1).contains("takes 1"));
        assert!(e("1 +", 1).contains("end of expression"));
        assert!(e("(x", 1).contains("expected `)`"));
        assert!(e("x y", 1).contains("after the expression"));
        assert!(e("t", 1).contains("unknown name `t`"));
        assert!(e("x $ 2", 1).contains("character 2"));
    }
}
