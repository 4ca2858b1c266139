//! Field paths such as `data.addresses[0].zip5`: parsing, and setting values in JSON.

use serde_json::{Map, Value};

use crate::error::{Error, InvalidField};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// A parsed field path: keys separated by `.`, array indexes in brackets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldPath {
    text: String,
    segments: Vec<Segment>,
}

impl FieldPath {
    pub(crate) fn parse(text: &str) -> Result<Self, Error> {
        let bad = |rule: &str| {
            Error::InvalidRequest(InvalidField {
                path: text.to_owned(),
                rule: format!("not a field path: {rule} (write it like data.addresses[0].zip5)"),
            })
        };
        let mut segments = Vec::new();
        for part in text.split('.') {
            let (key, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
            if key.is_empty() {
                return Err(bad("empty field name"));
            }
            if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(bad("field names use letters, digits and _"));
            }
            segments.push(Segment::Key(key.to_owned()));
            while let Some(tail) = rest.strip_prefix('[') {
                let close = tail.find(']').ok_or_else(|| bad("missing ]"))?;
                let index = tail[..close]
                    .parse()
                    .map_err(|_| bad("array index must be a whole number"))?;
                segments.push(Segment::Index(index));
                rest = &tail[close + 1..];
            }
            if !rest.is_empty() {
                return Err(bad("unexpected text after ]"));
            }
        }
        Ok(FieldPath {
            text: text.to_owned(),
            segments,
        })
    }

    /// Sets `value` at this path in `root`, creating missing objects along the way. An array
    /// index may name an existing item or the position just past the end (appends).
    pub(crate) fn set(&self, root: &mut Value, value: Value) -> Result<(), Error> {
        let slot = self.slot(root)?;
        *slot = value;
        Ok(())
    }

    /// Removes the field at this path; removing a field that is not there does nothing.
    pub(crate) fn remove(&self, root: &mut Value) -> Result<(), Error> {
        let Some((last, parent)) = self.segments.split_last() else {
            return Ok(());
        };
        let parent = FieldPath {
            text: self.text.clone(),
            segments: parent.to_vec(),
        };
        let container = if parent.segments.is_empty() {
            root
        } else {
            parent.slot(root)?
        };
        match (last, container) {
            (Segment::Key(k), Value::Object(map)) => {
                map.remove(k);
            }
            (Segment::Index(i), Value::Array(items)) if *i < items.len() => {
                items.remove(*i);
            }
            _ => {}
        }
        Ok(())
    }

    /// The current value at this path, if there is one.
    pub(crate) fn get<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        self.segments.iter().try_fold(root, |v, seg| match seg {
            Segment::Key(k) => v.get(k),
            Segment::Index(i) => v.get(i),
        })
    }

    fn slot<'v>(&self, root: &'v mut Value) -> Result<&'v mut Value, Error> {
        let mut here = root;
        let mut walked = String::new();
        for seg in &self.segments {
            if here.is_null() {
                *here = match seg {
                    Segment::Key(_) => Value::Object(Map::new()),
                    Segment::Index(_) => Value::Array(Vec::new()),
                };
            }
            let kind = kind_of(here);
            here = match (seg, here) {
                (Segment::Key(k), Value::Object(map)) => {
                    walked = join(&walked, k);
                    map.entry(k.clone()).or_insert(Value::Null)
                }
                (Segment::Index(i), Value::Array(items)) => {
                    if *i > items.len() {
                        return Err(self.invalid(format!(
                            "index {i} is out of range: {walked} has {} item(s), so the next one is [{}]",
                            items.len(),
                            items.len()
                        )));
                    }
                    if *i == items.len() {
                        items.push(Value::Null);
                    }
                    walked = format!("{walked}[{i}]");
                    &mut items[*i]
                }
                (Segment::Key(k), _) => {
                    return Err(self.invalid(format!(
                        "cannot set field `{k}`: {walked} is {kind}, not an object"
                    )));
                }
                (Segment::Index(i), _) => {
                    return Err(self.invalid(format!(
                        "cannot set item [{i}]: {walked} is {kind}, not an array"
                    )));
                }
            };
        }
        Ok(here)
    }

    fn invalid(&self, rule: String) -> Error {
        Error::InvalidRequest(InvalidField {
            path: self.text.clone(),
            rule,
        })
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sets_nested_fields_and_appends() {
        let mut v = json!({"data": {"addresses": [{"city": "A"}]}});
        FieldPath::parse("data.addresses[0].city")
            .unwrap()
            .set(&mut v, json!("Austin"))
            .unwrap();
        FieldPath::parse("data.addresses[1].city")
            .unwrap()
            .set(&mut v, json!("Boston"))
            .unwrap();
        FieldPath::parse("data.metadata.plan")
            .unwrap()
            .set(&mut v, json!("gold"))
            .unwrap();
        assert_eq!(
            v,
            json!({"data": {"addresses": [{"city": "Austin"}, {"city": "Boston"}], "metadata": {"plan": "gold"}}})
        );
        let p = FieldPath::parse("data.addresses[0]").unwrap();
        p.remove(&mut v).unwrap();
        assert_eq!(v["data"]["addresses"], json!([{"city": "Boston"}]));
    }

    #[test]
    fn rejects_bad_paths_and_gaps() {
        for bad in ["", "data..x", "data.a[", "data.a[x]", "data.a[0]x", "da-ta"] {
            let err = FieldPath::parse(bad).unwrap_err().to_string();
            assert!(err.contains("not a field path"), "{bad}: {err}");
        }
        let mut v = json!({"data": {"addresses": []}});
        let err = FieldPath::parse("data.addresses[2].city")
            .unwrap()
            .set(&mut v, json!("x"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("index 2 is out of range: data.addresses has 0 item(s)"),
            "{err}"
        );
        let err = FieldPath::parse("data.addresses.city")
            .unwrap()
            .set(&mut v, json!("x"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("data.addresses is an array, not an object"),
            "{err}"
        );
    }
}
