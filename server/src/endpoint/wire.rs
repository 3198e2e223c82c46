//! The protocol side: pgwire's handlers for one connection, the simple and
//! the extended query protocol, and values encoded as the types the
//! client was told.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures::{stream, Sink};
use pgwire::api::portal::{Format, Portal};
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::results::{DataRowEncoder, FieldFormat, FieldInfo, QueryResponse, Response, Tag};
use pgwire::api::stmt::QueryParser;
use pgwire::api::store::PortalStore;
use pgwire::api::{ClientInfo, ClientPortalStore, PgWireServerHandlers, Type};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::data::DataRow;
use pgwire::messages::PgWireBackendMessage;
use rusqlite::types::Value;

use super::auth::Gate;
use super::budget::Holding;
use super::sql::{self, Column, Outcome, Prepared, SqlError};
use super::{catalog, Session};

pub struct Handlers {
    backend: Arc<Backend>,
    gate: Arc<Gate>,
}

impl Handlers {
    pub fn new(session: Arc<Session>, decoy_key: Arc<[u8; 32]>) -> Self {
        Self {
            gate: Arc::new(Gate::new(session.clone(), decoy_key)),
            backend: Arc::new(Backend {
                parser: Arc::new(Parser { session: session.clone(), recent: Mutex::default() }),
                session,
            }),
        }
    }
}

impl PgWireServerHandlers for Handlers {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        self.backend.clone()
    }

    fn extended_query_handler(&self) -> Arc<impl ExtendedQueryHandler> {
        self.backend.clone()
    }

    fn startup_handler(&self) -> Arc<impl pgwire::api::auth::StartupHandler> {
        self.gate.clone()
    }
}

pub struct Backend {
    session: Arc<Session>,
    parser: Arc<Parser>,
}

fn error_info(e: SqlError) -> Box<ErrorInfo> {
    Box::new(ErrorInfo::new("ERROR".to_owned(), e.code.to_owned(), e.message))
}

fn user_error(e: SqlError) -> PgWireError {
    PgWireError::UserError(error_info(e))
}

fn fields(columns: &[Column], format: Option<&Format>) -> Vec<FieldInfo> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let format = format.map_or(FieldFormat::Text, |f| f.format_for(i));
            FieldInfo::new(c.name.clone(), None, None, c.ty.clone(), format)
        })
        .collect()
}

fn mismatch(column: &str, ty: &Type) -> PgWireError {
    user_error(SqlError::new(
        "22P02",
        format!("a value in column \"{column}\" is not of its type {ty}; cast it (CAST(… AS TEXT))"),
    ))
}

/// Encodes `value` as `ty`, converting where SQLite's loose typing allows.
fn encode(encoder: &mut DataRowEncoder, value: &Value, ty: &Type, column: &str) -> PgWireResult<()> {
    let text = |v: &Value| match v {
        Value::Integer(i) => Some(i.to_string()),
        Value::Real(f) => Some(f.to_string()),
        Value::Text(t) => Some(t.clone()),
        Value::Blob(b) => Some(format!("\\x{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>())),
        Value::Null => None,
    };
    let out_of_range =
        || user_error(SqlError::new("22003", format!("a value in column \"{column}\" is out of range for type {ty}")));
    let integer = |v: &Value| -> PgWireResult<i64> {
        match v {
            Value::Integer(i) => Ok(*i),
            Value::Real(f) if f.fract() == 0.0 => Ok(*f as i64),
            Value::Text(t) => t.trim().parse::<i64>().map_err(|_| mismatch(column, ty)),
            _ => Err(mismatch(column, ty)),
        }
    };
    match (ty, value) {
        (_, Value::Null) => encoder.encode_field(&None::<i64>),
        (&Type::INT4, v) => encoder.encode_field(&i32::try_from(integer(v)?).map_err(|_| out_of_range())?),
        (&Type::INT2, v) => encoder.encode_field(&i16::try_from(integer(v)?).map_err(|_| out_of_range())?),
        (&Type::OID, v) => encoder.encode_field(&u32::try_from(integer(v)?).map_err(|_| out_of_range())?),
        (&Type::BOOL, Value::Text(t)) => encoder.encode_field(&match t.trim().to_ascii_lowercase().as_str() {
            "t" | "true" | "1" | "yes" | "on" => true,
            "f" | "false" | "0" | "no" | "off" => false,
            _ => return Err(mismatch(column, ty)),
        }),
        (&Type::INT8, Value::Integer(i)) => encoder.encode_field(i),
        (&Type::INT8, Value::Real(f)) if f.fract() == 0.0 => encoder.encode_field(&(*f as i64)),
        (&Type::INT8, Value::Text(t)) => {
            encoder.encode_field(&t.trim().parse::<i64>().map_err(|_| mismatch(column, ty))?)
        }
        (&Type::FLOAT8, Value::Real(f)) => encoder.encode_field(f),
        (&Type::FLOAT8, Value::Integer(i)) => encoder.encode_field(&(*i as f64)),
        (&Type::FLOAT8, Value::Text(t)) => {
            encoder.encode_field(&t.trim().parse::<f64>().map_err(|_| mismatch(column, ty))?)
        }
        (&Type::BOOL, Value::Integer(i)) => encoder.encode_field(&(*i != 0)),
        (&Type::BYTEA, Value::Blob(b)) => encoder.encode_field(&b.as_slice()),
        (&Type::BYTEA, Value::Text(t)) => encoder.encode_field(&t.as_bytes()),
        (&Type::TEXT, v) => encoder.encode_field(&text(v)),
        _ => Err(mismatch(column, ty)),
    }
}

/// The rows, encoded as they are sent; `holding` (their share of the
/// memory budget) goes back once every response holding it is dropped.
fn rows_response(
    tag: &str,
    columns: &[Column],
    rows: Vec<Vec<Value>>,
    format: Option<&Format>,
    holding: Option<Arc<Holding>>,
) -> PgWireResult<Response> {
    let schema = Arc::new(fields(columns, format));
    let columns = columns.to_vec();
    let row_schema = schema.clone();
    let encoded = rows.into_iter().map(move |row| {
        let _held = &holding;
        let mut encoder = DataRowEncoder::new(row_schema.clone());
        for (value, column) in row.iter().zip(&columns) {
            encode(&mut encoder, value, &column.ty, &column.name)?;
        }
        Ok::<DataRow, PgWireError>(encoder.take_row())
    });
    let mut response = QueryResponse::new(schema, stream::iter(encoded));
    response.set_command_tag(tag);
    Ok(Response::Query(response))
}

fn response(outcome: Outcome, format: Option<&Format>, holding: Option<Arc<Holding>>) -> PgWireResult<Response> {
    Ok(match outcome {
        Outcome::Rows { tag, columns, rows } => return rows_response(&tag, &columns, rows, format, holding),
        Outcome::Done(tag) => Response::Execution(Tag::new(&tag)),
        Outcome::Begin => Response::TransactionStart(Tag::new("BEGIN")),
        Outcome::End(tag) => Response::TransactionEnd(Tag::new(&tag)),
    })
}

fn error_response(e: SqlError) -> Response {
    Response::Error(error_info(e))
}

#[async_trait]
impl SimpleQueryHandler for Backend {
    async fn do_query<C>(&self, _client: &mut C, query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let (target, db) = self.session.workspace().await.map_err(user_error)?;
        let query = query.to_owned();
        if catalog::is_psql_listing(&query) {
            let answer = self.session.run(db, move |db| catalog::answer(db, &query, &target.handle)).await;
            return Ok(vec![match answer.and_then(|a| a) {
                Ok(outcome) => response(outcome, None, None)?,
                Err(e) => error_response(e),
            }]);
        }
        let mut holding = self.session.budget.holding();
        let ran = self.session.run(db, move |db| (sql::run_script(db, &query, &mut holding), holding)).await;
        let ((outcomes, error), holding) = match ran {
            Ok(ran) => (ran.0, Some(Arc::new(ran.1))),
            Err(e) => ((Vec::new(), Some(e)), None),
        };
        if outcomes.iter().any(changes_schema) {
            self.parser.forget_recent();
        }
        let mut responses =
            outcomes.into_iter().map(|o| response(o, None, holding.clone())).collect::<PgWireResult<Vec<_>>>()?;
        match error {
            Some(e) => responses.push(error_response(e)),
            None if responses.is_empty() => responses.push(Response::EmptyQuery),
            None => {}
        }
        Ok(responses)
    }
}

/// Prepares statements in the workspace's database, so that Describe can
/// say what a statement takes and returns.
/// A statement's text and the parameter types the client gave.
type StatementKey = (String, Vec<Option<Type>>);

pub struct Parser {
    session: Arc<Session>,
    /// Statements this connection prepared lately, by text and the types
    /// the client gave: a driver that sends a Parse with every query (as
    /// libpq's `PQexecParams` does) is answered without the database.
    recent: Mutex<HashMap<StatementKey, Prepared>>,
}

/// `CREATE`, `ALTER` or `DROP`: what this connection described may have
/// changed (another connection's change is caught when a statement's
/// columns no longer match, see [`sql::CHANGED_RESULT`]).
fn changes_schema(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Done(tag) if ["CREATE", "ALTER", "DROP"].iter().any(|w| tag.starts_with(w)))
}

/// Statements a connection keeps described; more clear the list.
const RECENT: usize = 64;

impl Parser {
    fn forget_recent(&self) {
        self.recent.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[async_trait]
impl QueryParser for Parser {
    type Statement = Prepared;

    async fn parse_sql<C>(&self, _client: &C, sql: &str, types: &[Option<Type>]) -> PgWireResult<Option<Prepared>>
    where
        C: ClientInfo + Unpin + Send + Sync,
    {
        let key = (sql.to_owned(), types.to_vec());
        if let Some(known) = self.recent.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(Some(known.clone()));
        }
        let (_, db) = self.session.workspace().await.map_err(user_error)?;
        let (sql, types) = key.clone();
        let prepared = self.session.run(db, move |db| sql::prepare(db, &sql, &types)).await.and_then(|p| p);
        let prepared = prepared.map_err(user_error)?;
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if recent.len() >= RECENT {
            recent.clear();
        }
        recent.insert(key, prepared.clone());
        Ok(Some(prepared))
    }

    fn get_parameter_types(&self, stmt: &Prepared) -> PgWireResult<Vec<Type>> {
        Ok(stmt.params.clone())
    }

    fn get_result_schema(&self, stmt: &Prepared, format: Option<&Format>) -> PgWireResult<Vec<FieldInfo>> {
        Ok(fields(&stmt.columns, format))
    }
}

/// A parameter's value from the client, as SQLite stores it.
fn parameter(portal: &Portal<Prepared>, i: usize, ty: &Type) -> PgWireResult<Value> {
    let unsupported = || {
        user_error(SqlError::new(
            "42804",
            format!(
                "parameter ${} has type {ty}; Sluice workspaces take bool, int2/4/8, float4/8, text and bytea",
                i + 1
            ),
        ))
    };
    Ok(match ty {
        &Type::BOOL => portal.parameter::<bool>(i, ty)?.map(|b| Value::Integer(b as i64)),
        &Type::INT2 => portal.parameter::<i16>(i, ty)?.map(|v| Value::Integer(v.into())),
        &Type::INT4 => portal.parameter::<i32>(i, ty)?.map(|v| Value::Integer(v.into())),
        &Type::INT8 => portal.parameter::<i64>(i, ty)?.map(Value::Integer),
        &Type::OID => portal.parameter::<u32>(i, ty)?.map(|v| Value::Integer(v.into())),
        &Type::FLOAT4 => portal.parameter::<f32>(i, ty)?.map(|v| Value::Real(v.into())),
        &Type::FLOAT8 => portal.parameter::<f64>(i, ty)?.map(Value::Real),
        &Type::TEXT | &Type::VARCHAR | &Type::BPCHAR | &Type::NAME | &Type::UNKNOWN => {
            portal.parameter::<String>(i, ty)?.map(Value::Text)
        }
        &Type::BYTEA => portal.parameter::<Vec<u8>>(i, ty)?.map(Value::Blob),
        _ => return Err(unsupported()),
    }
    .unwrap_or(Value::Null))
}

#[async_trait]
impl ExtendedQueryHandler for Backend {
    type Statement = Prepared;
    type QueryParser = Parser;

    fn query_parser(&self) -> Arc<Parser> {
        self.parser.clone()
    }

    async fn do_query<C>(&self, _client: &mut C, portal: &Portal<Prepared>, _max_rows: usize) -> PgWireResult<Response>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Prepared>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let prepared = portal.statement.statement.clone();
        let params = (0..portal.parameter_len())
            .map(|i| {
                let ty = portal.statement.parameter_types.get(i).cloned().flatten();
                let ty = ty.or_else(|| prepared.params.get(i).cloned()).unwrap_or(Type::TEXT);
                parameter(portal, i, &ty)
            })
            .collect::<PgWireResult<Vec<_>>>()?;
        let (_, db) = self.session.workspace().await.map_err(user_error)?;
        let mut holding = self.session.budget.holding();
        let ran = self.session.run(db, move |db| (sql::execute(db, &prepared, &params, &mut holding), holding)).await;
        match ran {
            Ok((Ok(o), holding)) => {
                if changes_schema(&o) {
                    self.parser.forget_recent();
                }
                response(o, Some(&portal.result_column_format), Some(Arc::new(holding)))
            }
            Ok((Err(e), _)) | Err(e) => {
                if e.code == sql::CHANGED_RESULT {
                    self.parser.forget_recent();
                }
                Err(user_error(e))
            }
        }
    }
}
