//! PostgreSQL's dialect in SQLite's words. Clients and their libraries
//! write PostgreSQL: `$1::VARCHAR` casts, `= ANY (ARRAY[…])`,
//! `pg_catalog.version()`, `current_user`, `SHOW`, `SET`. Each query is
//! read with sqlparser's PostgreSQL dialect; what SQLite would not take is
//! rewritten in the syntax tree and the tree is written out again. A query
//! that needs nothing rewritten, or that the parser cannot read (SQLite's
//! own syntax: `PRAGMA`, `INSERT OR REPLACE`, …), runs as it was written.
//!
//! The same reading says what each `$n` parameter is compared with,
//! inserted into or cast to, so that a prepared statement can describe its
//! parameters as PostgreSQL would (`$1` against an `integer` column is
//! `int4`), which drivers such as asyncpg encode by.

use std::ops::ControlFlow;

use pgwire::api::Type;
use sqlparser::ast::{
    visit_expressions, visit_expressions_mut, visit_relations, AssignmentTarget, BinaryOperator, CastKind, DataType,
    Expr, FunctionArguments, Ident, ObjectName, ObjectNamePart, SetExpr, Statement, TableObject, Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

/// One statement, ready for SQLite, or answered without it.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Sql(String),
    /// `SHOW name`: the setting's value.
    Show(String),
    /// `SET …`, `DEALLOCATE …`, `DISCARD …`: session state that a SQLite
    /// workspace does not keep; accepted, with this command tag.
    Done(&'static str),
}

/// What a parameter was seen beside.
#[derive(Debug, Clone, PartialEq)]
pub enum Hint {
    /// Cast to a type (`$1::int4`).
    Type(Type),
    /// Compared with, assigned to or inserted into a column; the table if
    /// the statement names it, else the statement's tables are searched.
    Column { table: Option<String>, column: String },
    /// The `index`th column of `table` (an `INSERT` without a column list).
    Position { table: String, index: usize },
}

/// A query as SQLite will run it.
#[derive(Debug, Clone, PartialEq)]
pub struct Translation {
    /// `None`: run the text as the client wrote it.
    pub pieces: Option<Vec<Piece>>,
    /// Per parameter (`$1` first), what it was seen beside.
    pub hints: Vec<Option<Hint>>,
    /// The tables the statements read or write, for [`Hint::Column`].
    pub tables: Vec<String>,
    /// A statement reads `pg_catalog` or `information_schema`.
    pub catalog: bool,
}

/// Longer queries are not read here: SQLite refuses them anyway (its
/// `SQLITE_LIMIT_SQL_LENGTH` is the same), and the parser's tree of a
/// larger text would take memory for nothing.
const MAX_SQL: usize = 1024 * 1024;

/// PostgreSQL's reading of `sql`, rewritten where SQLite needs it.
pub fn translate(sql: &str) -> Translation {
    let mut untouched = Translation { pieces: None, hints: Vec::new(), tables: Vec::new(), catalog: false };
    if sql.len() > MAX_SQL {
        return untouched;
    }
    let Ok(mut statements) = Parser::parse_sql(&PostgreSqlDialect {}, sql) else {
        return untouched;
    };
    untouched.hints = hints(&statements);
    untouched.tables = tables(&statements);
    untouched.catalog = reads_catalog(&statements);
    let mut changed = false;
    let mut pieces = Vec::with_capacity(statements.len());
    for statement in &mut statements {
        match statement {
            Statement::ShowVariable { variable } => {
                changed = true;
                let name = variable.iter().map(|i| i.value.to_ascii_lowercase()).collect::<Vec<_>>().join(" ");
                pieces.push(Piece::Show(name));
            }
            Statement::Set(_) => {
                changed = true;
                pieces.push(Piece::Done("SET"));
            }
            Statement::Deallocate { .. } => {
                changed = true;
                pieces.push(Piece::Done("DEALLOCATE"));
            }
            Statement::Discard { .. } => {
                changed = true;
                pieces.push(Piece::Done("DISCARD ALL"));
            }
            // Written as SQLite takes them, whatever the form they came in.
            Statement::StartTransaction { .. } => pieces.push(Piece::Sql("BEGIN".into())),
            Statement::Commit { .. } => pieces.push(Piece::Sql("COMMIT".into())),
            Statement::Rollback { savepoint: None, .. } => pieces.push(Piece::Sql("ROLLBACK".into())),
            _ => {
                changed |= rewrite(statement);
                pieces.push(Piece::Sql(statement.to_string()));
            }
        }
    }
    if changed {
        untouched.pieces = Some(pieces);
    }
    untouched
}

fn is_placeholder(e: &Expr) -> Option<usize> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Placeholder(p) => p.strip_prefix('$')?.parse::<usize>().ok().filter(|n| *n > 0),
            _ => None,
        },
        Expr::Nested(inner) => is_placeholder(inner),
        _ => None,
    }
}

fn column_of(e: &Expr) -> Option<(Option<String>, String)> {
    match e {
        Expr::Identifier(i) => Some((None, i.value.clone())),
        Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
            let column = parts.last()?.value.clone();
            Some((Some(parts[parts.len() - 2].value.clone()), column))
        }
        Expr::Nested(inner) => column_of(inner),
        _ => None,
    }
}

fn last_name(name: &ObjectName) -> Option<String> {
    match name.0.last()? {
        ObjectNamePart::Identifier(i) => Some(i.value.clone()),
        ObjectNamePart::Function(_) => None,
    }
}

/// The PostgreSQL type a cast names, where a parameter can take it.
pub fn cast_type(data_type: &DataType) -> Option<Type> {
    let name = data_type.to_string().to_ascii_uppercase();
    let base = name.split('(').next().unwrap_or("").trim();
    Some(match base {
        "BOOL" | "BOOLEAN" => Type::BOOL,
        "SMALLINT" | "INT2" => Type::INT2,
        "INT" | "INTEGER" | "INT4" => Type::INT4,
        "BIGINT" | "INT8" => Type::INT8,
        "OID" => Type::OID,
        // A parameter cast to a reg… type is its name, as text.
        "REGCLASS" | "REGTYPE" | "REGPROC" | "REGNAMESPACE" => Type::TEXT,
        "REAL" | "FLOAT4" => Type::FLOAT4,
        "DOUBLE PRECISION" | "FLOAT8" | "FLOAT" => Type::FLOAT8,
        "TEXT" | "VARCHAR" | "CHARACTER VARYING" | "NAME" | "CHAR" | "CHARACTER" | "BPCHAR" => Type::TEXT,
        "BYTEA" => Type::BYTEA,
        _ => return None,
    })
}

/// Parameter hints, by `$n`.
fn hints(statements: &[Statement]) -> Vec<Option<Hint>> {
    let mut found: Vec<Option<Hint>> = Vec::new();
    let mut note = |n: usize, hint: Hint| {
        if found.len() < n {
            found.resize(n, None);
        }
        // The first sighting stands; a cast says more than a column.
        let slot = &mut found[n - 1];
        if slot.is_none() || matches!(hint, Hint::Type(_)) && !matches!(slot, Some(Hint::Type(_))) {
            *slot = Some(hint);
        }
    };
    for statement in statements {
        let _ = visit_expressions(statement, |e: &Expr| {
            match e {
                Expr::Cast { expr, data_type, .. } => {
                    if let (Some(n), Some(ty)) = (is_placeholder(expr), cast_type(data_type)) {
                        note(n, Hint::Type(ty));
                    }
                }
                Expr::BinaryOp { left, op, right } if is_comparison(op) => {
                    for (a, b) in [(left, right), (right, left)] {
                        if let (Some(n), Some((table, column))) = (is_placeholder(a), column_of(b)) {
                            note(n, Hint::Column { table, column });
                        }
                    }
                }
                Expr::InList { expr, list, .. } => {
                    if let Some((table, column)) = column_of(expr) {
                        for item in list {
                            if let Some(n) = is_placeholder(item) {
                                note(n, Hint::Column { table: table.clone(), column: column.clone() });
                            }
                        }
                    }
                }
                Expr::Between { expr, low, high, .. } => {
                    if let Some((table, column)) = column_of(expr) {
                        for bound in [low, high] {
                            if let Some(n) = is_placeholder(bound) {
                                note(n, Hint::Column { table: table.clone(), column: column.clone() });
                            }
                        }
                    }
                }
                _ => {}
            }
            ControlFlow::<()>::Continue(())
        });
        match statement {
            Statement::Insert(insert) => {
                let TableObject::TableName(name) = &insert.table else { continue };
                let Some(table) = last_name(name) else { continue };
                let Some(SetExpr::Values(values)) = insert.source.as_ref().map(|q| q.body.as_ref()) else { continue };
                for row in &values.rows {
                    for (index, value) in row.iter().enumerate() {
                        let Some(n) = is_placeholder(value) else { continue };
                        let hint = match insert.columns.get(index) {
                            Some(column) => Hint::Column { table: Some(table.clone()), column: column.value.clone() },
                            None if insert.columns.is_empty() => Hint::Position { table: table.clone(), index },
                            None => continue,
                        };
                        note(n, hint);
                    }
                }
            }
            Statement::Update { table, assignments, .. } => {
                let table = match &table.relation {
                    sqlparser::ast::TableFactor::Table { name, .. } => last_name(name),
                    _ => None,
                };
                for a in assignments {
                    let (AssignmentTarget::ColumnName(column), Some(n)) = (&a.target, is_placeholder(&a.value)) else {
                        continue;
                    };
                    if let Some(column) = last_name(column) {
                        note(n, Hint::Column { table: table.clone(), column });
                    }
                }
            }
            _ => {}
        }
    }
    found
}

fn is_comparison(op: &BinaryOperator) -> bool {
    use BinaryOperator as B;
    matches!(op, B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq)
}

fn tables(statements: &[Statement]) -> Vec<String> {
    let mut out = Vec::new();
    for statement in statements {
        let _ = visit_relations(statement, |name: &ObjectName| {
            if let Some(t) = last_name(name) {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
            ControlFlow::<()>::Continue(())
        });
    }
    out
}

fn reads_catalog(statements: &[Statement]) -> bool {
    statements.iter().any(|statement| {
        visit_relations(statement, |name: &ObjectName| {
            let parts: Vec<&str> = name
                .0
                .iter()
                .filter_map(|p| match p {
                    ObjectNamePart::Identifier(i) => Some(i.value.as_str()),
                    ObjectNamePart::Function(_) => None,
                })
                .collect();
            let (schema, table) = match parts.as_slice() {
                [table] => (None, *table),
                [.., schema, table] => (Some(*schema), *table),
                [] => return ControlFlow::Continue(()),
            };
            if super::pg_catalog::is_catalog_relation(schema, table) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .is_break()
    })
}

/// Functions PostgreSQL lets a query call without parentheses.
const BARE_FUNCTIONS: &[&str] =
    &["current_user", "session_user", "current_schema", "current_catalog", "user", "current_role"];

/// SQLite's name for a PostgreSQL function, where they differ.
fn function_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "json_build_object" => "json_object",
        "jsonb_build_object" => "json_object",
        "json_build_array" => "json_array",
        "array_agg" => "json_group_array",
        "string_agg" => "group_concat",
        "bool_and" => "min",
        "bool_or" => "max",
        _ => return None,
    })
}

/// SQLite's type for a cast, or `None` where the cast is dropped (SQLite
/// compares as the operands are; a name or an oid is what it is).
fn sqlite_cast(data_type: &DataType) -> Option<DataType> {
    let ty = cast_type(data_type)?;
    Some(match ty {
        Type::BOOL | Type::INT2 | Type::INT4 | Type::INT8 => DataType::Integer(None),
        Type::FLOAT4 | Type::FLOAT8 => DataType::Real,
        Type::BYTEA => DataType::Blob(None),
        _ => return None,
    })
}

/// A call of the SQLite function `name`.
fn call(name: &str, args: Vec<Expr>) -> Expr {
    use sqlparser::ast::{FunctionArg, FunctionArgExpr, FunctionArgumentList};
    Expr::Function(sqlparser::ast::Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args.into_iter().map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a))).collect(),
            clauses: Vec::new(),
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: Vec::new(),
    })
}

/// Rewrites `statement` in place; true if anything changed.
fn rewrite(statement: &mut Statement) -> bool {
    let mut changed = false;
    let _ = visit_expressions_mut(statement, |e: &mut Expr| {
        match e {
            Expr::Cast { expr, data_type, .. } => {
                changed = true;
                let reg = data_type.to_string().to_ascii_uppercase().starts_with("REG");
                let text_like = !reg && cast_type(data_type).is_some_and(|t| t == Type::TEXT);
                *e = match sqlite_cast(data_type) {
                    Some(ty) => Expr::Cast { kind: CastKind::Cast, expr: expr.clone(), data_type: ty, format: None },
                    // A text cast of a value that is not a parameter keeps
                    // its meaning (`oid::text`); a parameter is text already.
                    None if text_like && is_placeholder(expr).is_none() => {
                        Expr::Cast { kind: CastKind::Cast, expr: expr.clone(), data_type: DataType::Text, format: None }
                    }
                    None => Expr::Nested(expr.clone()),
                };
            }
            Expr::BinaryOp { left, op, right } => {
                // `~`, `~*`, `!~`, `!~*` and psql's `OPERATOR(pg_catalog.~)`.
                let regex = match op {
                    BinaryOperator::PGRegexMatch => Some((false, false)),
                    BinaryOperator::PGRegexIMatch => Some((true, false)),
                    BinaryOperator::PGRegexNotMatch => Some((false, true)),
                    BinaryOperator::PGRegexNotIMatch => Some((true, true)),
                    BinaryOperator::PGCustomBinaryOperator(parts) => match parts.last().map(String::as_str) {
                        Some("~") => Some((false, false)),
                        Some("~*") => Some((true, false)),
                        Some("!~") => Some((false, true)),
                        Some("!~*") => Some((true, true)),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some((insensitive, negated)) = regex {
                    changed = true;
                    let flag = Expr::value(Value::Number(if insensitive { "1" } else { "0" }.into(), false));
                    let call = call("pg_regex_match", vec![*left.clone(), *right.clone(), flag]);
                    *e = if negated {
                        Expr::UnaryOp { op: sqlparser::ast::UnaryOperator::Not, expr: Box::new(call) }
                    } else {
                        call
                    };
                }
            }
            // Collations are PostgreSQL's (`COLLATE pg_catalog.default`).
            Expr::Collate { expr, .. } => {
                changed = true;
                *e = Expr::Nested(expr.clone());
            }
            Expr::AnyOp { left, compare_op: BinaryOperator::Eq, right, .. } => {
                if let Expr::Array(array) = right.as_ref() {
                    changed = true;
                    *e = Expr::InList { expr: left.clone(), list: array.elem.clone(), negated: false };
                }
            }
            Expr::Function(f) => {
                // `pg_catalog.version()` → `version()`.
                if f.name.0.len() == 2
                    && matches!(&f.name.0[0], ObjectNamePart::Identifier(i) if i.value.eq_ignore_ascii_case("pg_catalog"))
                {
                    f.name.0.remove(0);
                    changed = true;
                }
                let name = last_name(&f.name).unwrap_or_default().to_ascii_lowercase();
                if let Some(sqlite) = function_name(&name) {
                    f.name = ObjectName::from(vec![Ident::new(sqlite)]);
                    changed = true;
                }
                if matches!(f.args, FunctionArguments::None) && BARE_FUNCTIONS.contains(&name.as_str()) {
                    f.name = ObjectName::from(vec![Ident::new(name)]);
                    f.args = FunctionArguments::List(sqlparser::ast::FunctionArgumentList {
                        duplicate_treatment: None,
                        args: Vec::new(),
                        clauses: Vec::new(),
                    });
                    changed = true;
                }
            }
            Expr::Identifier(i)
                if i.quote_style.is_none() && BARE_FUNCTIONS.contains(&i.value.to_ascii_lowercase().as_str()) =>
            {
                changed = true;
                *e = call(&i.value.to_ascii_lowercase(), Vec::new());
            }
            Expr::Value(v) => {
                // E'…' strings: SQLite has no escapes, so the value is
                // written out plainly.
                if let Value::EscapedStringLiteral(s) = &v.value {
                    v.value = Value::SingleQuotedString(s.clone());
                    changed = true;
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(text: &str) -> String {
        match translate(text).pieces.as_deref() {
            Some([Piece::Sql(s)]) => s.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sqlite_syntax_and_plain_queries_run_as_written() {
        for kept in [
            "SELECT 1",
            "INSERT OR REPLACE INTO t VALUES (1)",
            "PRAGMA table_info(t)",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)",
            "SELECT * FROM t WHERE id = $1",
        ] {
            assert_eq!(translate(kept).pieces, None, "{kept}");
        }
    }

    #[test]
    fn postgresql_forms_are_rewritten() {
        assert_eq!(sql("SELECT $1::VARCHAR"), "SELECT ($1)");
        assert_eq!(sql("SELECT oid::regtype::text FROM pg_type"), "SELECT CAST((oid) AS TEXT) FROM pg_type");
        assert_eq!(sql("SELECT '5'::int"), "SELECT CAST('5' AS INTEGER)");
        assert_eq!(sql("SELECT a FROM t WHERE k = ANY (ARRAY['r', 'v'])"), "SELECT a FROM t WHERE k IN ('r', 'v')");
        assert_eq!(sql("select pg_catalog.version()"), "SELECT version()");
        assert_eq!(
            sql("SELECT current_database(), current_schema(), current_user"),
            "SELECT current_database(), current_schema(), current_user()"
        );
        assert_eq!(sql("select current_schema"), "SELECT current_schema()");
        assert_eq!(
            sql("SELECT 1 FROM n WHERE nspname !~ '^pg_'"),
            "SELECT 1 FROM n WHERE NOT pg_regex_match(nspname, '^pg_', 0)"
        );
        assert_eq!(
            sql("SELECT 1 FROM c WHERE relname OPERATOR(pg_catalog.~) '^(t.*)$' COLLATE pg_catalog.default"),
            "SELECT 1 FROM c WHERE pg_regex_match(relname, ('^(t.*)$'), 0)"
        );
        assert_eq!(
            translate("SHOW standard_conforming_strings").pieces,
            Some(vec![Piece::Show("standard_conforming_strings".into())])
        );
        assert_eq!(
            translate("show transaction isolation level").pieces,
            Some(vec![Piece::Show("transaction isolation level".into())])
        );
        assert_eq!(translate("SET extra_float_digits = 3").pieces, Some(vec![Piece::Done("SET")]));
        assert_eq!(translate("DEALLOCATE ALL").pieces, Some(vec![Piece::Done("DEALLOCATE")]));
    }

    #[test]
    fn parameters_are_typed_by_what_they_meet() {
        let t = translate("SELECT * FROM items WHERE qty > $1 AND name = $2::VARCHAR AND id IN ($3, $4)");
        assert_eq!(t.hints[0], Some(Hint::Column { table: None, column: "qty".into() }));
        assert_eq!(t.hints[1], Some(Hint::Type(Type::TEXT)));
        assert_eq!(t.hints[3], Some(Hint::Column { table: None, column: "id".into() }));
        assert_eq!(t.tables, vec!["items".to_owned()]);
        let t = translate("INSERT INTO items (id, qty) VALUES ($1, $2)");
        assert_eq!(t.hints[1], Some(Hint::Column { table: Some("items".into()), column: "qty".into() }));
        let t = translate("INSERT INTO items VALUES ($1, $2)");
        assert_eq!(t.hints[1], Some(Hint::Position { table: "items".into(), index: 1 }));
        let t = translate("UPDATE items SET qty = $1 WHERE id = $2");
        assert_eq!(t.hints[0], Some(Hint::Column { table: Some("items".into()), column: "qty".into() }));
        assert_eq!(t.hints[1], Some(Hint::Column { table: None, column: "id".into() }));
    }
}
