"""mypy's node, type and pattern classes as ``Final`` names, which a compiled build keeps in C
statics: a class a compiled module imports from mypy is otherwise looked up in that
module's globals, a dict, at each use (mypy's classes are not part of the plugin's
build).  The compiled modules name these classes through this module in their
``isinstance`` and ``type(x) is`` tests (``tests/test_build.py`` checks it); annotations
name mypy's classes themselves.  See docs/design.md, "A compiled build"."""

from __future__ import annotations

from typing import Final

from mypy.nodes import (
    AssertStmt,
    AssignmentExpr,
    AssignmentStmt,
    AwaitExpr,
    Block,
    BreakStmt,
    BytesExpr,
    CallExpr,
    ClassDef,
    ConditionalExpr,
    ContinueStmt,
    Decorator,
    DelStmt,
    DictExpr,
    DictionaryComprehension,
    EllipsisExpr,
    Expression,
    ExpressionStmt,
    ForStmt,
    FuncBase,
    FuncDef,
    FuncItem,
    GeneratorExpr,
    GlobalDecl,
    IfStmt,
    Import,
    ImportAll,
    ImportFrom,
    IndexExpr,
    IntExpr,
    LambdaExpr,
    ListExpr,
    MatchStmt,
    MemberExpr,
    MypyFile,
    NameExpr,
    NonlocalDecl,
    OperatorAssignmentStmt,
    OpExpr,
    OverloadedFuncDef,
    PassStmt,
    RaiseStmt,
    RefExpr,
    ReturnStmt,
    SetExpr,
    SliceExpr,
    StarExpr,
    StrExpr,
    SuperExpr,
    SymbolNode,
    TryStmt,
    TupleExpr,
    TypeAlias,
    TypeInfo,
    UnaryExpr,
    Var,
    WhileStmt,
    WithStmt,
)
from mypy.patterns import (
    AsPattern,
    ClassPattern,
    MappingPattern,
    OrPattern,
    SequencePattern,
    SingletonPattern,
    StarredPattern,
    ValuePattern,
)
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    LiteralType,
    NoneType,
    Overloaded,
    TupleType,
    TypedDictType,
    TypeType,
    TypeVarLikeType,
    TypeVarType,
    UnboundType,
    UninhabitedType,
    UnionType,
)

ANY_TYPE: Final = AnyType
ASSERT_STMT: Final = AssertStmt
ASSIGNMENT_EXPR: Final = AssignmentExpr
ASSIGNMENT_STMT: Final = AssignmentStmt
AS_PATTERN: Final = AsPattern
AWAIT_EXPR: Final = AwaitExpr
BLOCK: Final = Block
BREAK_STMT: Final = BreakStmt
BYTES_EXPR: Final = BytesExpr
CALLABLE_TYPE: Final = CallableType
CALL_EXPR: Final = CallExpr
CLASS_DEF: Final = ClassDef
CLASS_PATTERN: Final = ClassPattern
CONDITIONAL_EXPR: Final = ConditionalExpr
CONTINUE_STMT: Final = ContinueStmt
DECORATOR: Final = Decorator
DEL_STMT: Final = DelStmt
DICTIONARY_COMPREHENSION: Final = DictionaryComprehension
DICT_EXPR: Final = DictExpr
ELLIPSIS_EXPR: Final = EllipsisExpr
EXPRESSION: Final = Expression
EXPRESSION_STMT: Final = ExpressionStmt
FOR_STMT: Final = ForStmt
FUNC_BASE: Final = FuncBase
FUNC_DEF: Final = FuncDef
FUNC_ITEM: Final = FuncItem
GENERATOR_EXPR: Final = GeneratorExpr
GLOBAL_DECL: Final = GlobalDecl
IF_STMT: Final = IfStmt
IMPORT: Final = Import
IMPORT_ALL: Final = ImportAll
IMPORT_FROM: Final = ImportFrom
INDEX_EXPR: Final = IndexExpr
INSTANCE: Final = Instance
INT_EXPR: Final = IntExpr
LAMBDA_EXPR: Final = LambdaExpr
LIST_EXPR: Final = ListExpr
LITERAL_TYPE: Final = LiteralType
MAPPING_PATTERN: Final = MappingPattern
MATCH_STMT: Final = MatchStmt
MEMBER_EXPR: Final = MemberExpr
MYPY_FILE: Final = MypyFile
NAME_EXPR: Final = NameExpr
NONE_TYPE: Final = NoneType
NONLOCAL_DECL: Final = NonlocalDecl
OPERATOR_ASSIGNMENT_STMT: Final = OperatorAssignmentStmt
OP_EXPR: Final = OpExpr
OR_PATTERN: Final = OrPattern
OVERLOADED: Final = Overloaded
OVERLOADED_FUNC_DEF: Final = OverloadedFuncDef
PASS_STMT: Final = PassStmt
RAISE_STMT: Final = RaiseStmt
REF_EXPR: Final = RefExpr
RETURN_STMT: Final = ReturnStmt
SEQUENCE_PATTERN: Final = SequencePattern
SET_EXPR: Final = SetExpr
SINGLETON_PATTERN: Final = SingletonPattern
SLICE_EXPR: Final = SliceExpr
STARRED_PATTERN: Final = StarredPattern
STAR_EXPR: Final = StarExpr
STR_EXPR: Final = StrExpr
SUPER_EXPR: Final = SuperExpr
SYMBOL_NODE: Final = SymbolNode
TRY_STMT: Final = TryStmt
TUPLE_EXPR: Final = TupleExpr
TUPLE_TYPE: Final = TupleType
TYPED_DICT_TYPE: Final = TypedDictType
TYPE_ALIAS: Final = TypeAlias
TYPE_INFO: Final = TypeInfo
TYPE_TYPE: Final = TypeType
TYPE_VAR_LIKE_TYPE: Final = TypeVarLikeType
TYPE_VAR_TYPE: Final = TypeVarType
UNARY_EXPR: Final = UnaryExpr
UNBOUND_TYPE: Final = UnboundType
UNINHABITED_TYPE: Final = UninhabitedType
UNION_TYPE: Final = UnionType
VALUE_PATTERN: Final = ValuePattern
VAR: Final = Var
WHILE_STMT: Final = WhileStmt
WITH_STMT: Final = WithStmt
