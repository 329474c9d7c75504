/// The parsed form of a template: statements (`TemplateNode`) holding expressions
/// (`TemplateExpression`), each with the source line it came from for error messages.
struct TemplateExpression {
    indirect enum Kind {
        case literal(JinjaValue)
        case name(String)
        case list([TemplateExpression])
        case tuple([TemplateExpression])
        case dict([(TemplateExpression, TemplateExpression)])
        case attribute(TemplateExpression, String)
        case item(TemplateExpression, TemplateExpression)
        case slice(TemplateExpression, TemplateExpression?, TemplateExpression?, TemplateExpression?)
        case call(TemplateExpression, [CallArgument])
        case filter(TemplateExpression, String, [CallArgument])
        case test(TemplateExpression, String, [CallArgument], negated: Bool)
        case unary(String, TemplateExpression)
        case binary(String, TemplateExpression, TemplateExpression)
        case compare(TemplateExpression, [(String, TemplateExpression)])
        case and(TemplateExpression, TemplateExpression)
        case or(TemplateExpression, TemplateExpression)
        case not(TemplateExpression)
        case conditional(condition: TemplateExpression, then: TemplateExpression, otherwise: TemplateExpression?)
    }

    let kind: Kind
    let line: Int
}

/// One argument in a call, filter or test: positional, `name=value`, `*list` or `**dict`.
struct CallArgument {
    enum Style { case positional, keyword(String), spreadList, spreadDict }
    let style: Style
    let value: TemplateExpression
}

/// What `set` and `for` assign to.
enum AssignTarget {
    case name(String)
    case attribute(String, String)
    case tuple([String])
}

/// How a name a frame assigns somewhere reads before its first assignment, decided before
/// rendering as Jinja's compiler decides it: `alias` reads the enclosing frame's variable,
/// `resolve` reads the render context (skipping enclosing frames), `undefined` reads nothing.
/// Names a frame never assigns or reads before assigning simply read the enclosing frame.
enum InitialLoad { case undefined, resolve, alias }

/// The variables of one Jinja frame (the template, a loop body, a macro, a block), filled by
/// `FrameAnalysis` after parsing.
final class FrameInfo {
    var initial: [String: InitialLoad] = [:]
    /// Every name read in the frame or the frames inside it (a macro takes extra arguments
    /// only when it reads `varargs` or `kwargs`).
    var referenced: Set<String> = []
}

indirect enum TemplateNode {
    case text(String)
    case output(TemplateExpression)
    case forLoop(target: AssignTarget, iterable: TemplateExpression, condition: TemplateExpression?,
                 body: [TemplateNode], otherwise: [TemplateNode], line: Int, frame: FrameInfo, elseFrame: FrameInfo)
    case conditional(branches: [(TemplateExpression, [TemplateNode])], otherwise: [TemplateNode])
    case set(AssignTarget, TemplateExpression, line: Int)
    case setBlock(AssignTarget, filters: [(String, [CallArgument])], body: [TemplateNode], line: Int, frame: FrameInfo)
    case macro(name: String, parameters: [(String, TemplateExpression?)], body: [TemplateNode], frame: FrameInfo)
    case callBlock(call: TemplateExpression, parameters: [(String, TemplateExpression?)], body: [TemplateNode], frame: FrameInfo)
    case filterBlock(filters: [(String, [CallArgument])], body: [TemplateNode], line: Int, frame: FrameInfo)
    case with(assignments: [(AssignTarget, TemplateExpression)], body: [TemplateNode], line: Int, frame: FrameInfo)
    case breakLoop
    case continueLoop
    /// transformers' `{% generation %}` block, which marks assistant text and renders its body.
    case generation([TemplateNode], frame: FrameInfo)
}
