//! `calc`: an MCP server that evaluates arithmetic expressions safely.
//!
//! Owns: the `calculate` tool and its result shape. The language itself (tokenizer,
//! evaluator, limits) lives in `expression`; nothing is ever handed to an interpreter.
//! Knows nothing of Switchboard: it is a plain rmcp `ServerHandler`.

pub mod expression;

use rmcp::{
    Json, ServerHandler,
    handler::server::{router::tool::ToolRouter, wrapper::Parameters},
    model::{Implementation, ServerCapabilities, ServerConfig},
    tool, tool_handler, tool_router,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use expression::{CalcError, Limits};

/// The calculator server. Cheap to clone; one instance may serve many sessions.
#[derive(Debug, Clone)]
pub struct CalcServer {
    limits: Limits,
}

/// Arguments of `calculate`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CalculateRequest {
    /// The expression, such as "2 * (3 + 4)", "sqrt(2) / 2" or "round(100 * 7 / 9, 2)". Operators: + - * / % ^ (or **), parentheses, unary minus. Constants: pi, e. Functions: sqrt, abs, round(x[, digits]), floor, ceil, ln, log10, sin, cos, tan (radians), min(...), max(...). At most 4096 characters.
    pub expression: String,
}

/// The result of `calculate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Calculation {
    /// The expression as given.
    pub expression: String,
    /// The value, rounded to 15 significant digits.
    pub result: f64,
    /// The value as text: integers without a fraction, very large or small values in exponent form (such as 1.5e20).
    pub text: String,
}

impl Default for CalcServer {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

#[tool_router]
impl CalcServer {
    pub fn new(limits: Limits) -> Self {
        Self { limits }
    }

    #[tool(
        description = "Evaluate an arithmetic expression exactly as written and return the \
                       number. Supports + - * / % ^ (power, right-associative; ** also works), \
                       parentheses, unary minus, the constants pi and e, and the functions \
                       sqrt, abs, round(x[, digits]), floor, ceil, ln, log10, sin, cos, tan \
                       (radians), min and max. There are no variables. Use it instead of doing \
                       arithmetic in your head.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    fn calculate(
        &self,
        Parameters(request): Parameters<CalculateRequest>,
    ) -> Result<Json<Calculation>, String> {
        let value = expression::evaluate(&request.expression, &self.limits)
            .map_err(|error| error.to_string())?;
        let result = expression::tidy(value);
        Ok(Json(Calculation {
            text: expression::format_number(result),
            expression: request.expression,
            result,
        }))
    }
}

impl CalcServer {
    /// The tools and their schemas, made once per process when first asked for: not at
    /// start, and not again for each session the daemon serves.
    fn router() -> &'static ToolRouter<Self> {
        static ROUTER: std::sync::OnceLock<ToolRouter<CalcServer>> = std::sync::OnceLock::new();
        ROUTER.get_or_init(Self::tool_router)
    }
}

#[tool_handler(router = Self::router())]
impl ServerHandler for CalcServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("calc", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Evaluates arithmetic expressions exactly. Call calculate with an expression \
                 such as \"(1200 * 0.07) / 12\" instead of computing numbers yourself.",
            )
    }
}
