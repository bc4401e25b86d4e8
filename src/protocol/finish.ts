import type { FinishReason } from '../core/result.js';

/**
 * Why an answer ended, normalised (core/result.ts FINISH_REASONS). Each
 * protocol names it its own way; anything not listed is `other` rather than
 * a guess, so a relay's invention never reads as a normal stop.
 */
export function openaiFinish(reason: string): FinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'tool_calls':
    case 'content_filter':
      return reason;
    case 'function_call':
      // The deprecated single-function form of a tool call.
      return 'tool_calls';
    default:
      return 'other';
  }
}

export function anthropicFinish(stopReason: string): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // pause_turn, model_context_window_exceeded, and whatever comes next.
      return 'other';
  }
}

/**
 * Responses: `status` with `incomplete_details.reason`; a completed answer
 * whose output holds a function call ended to call it.
 */
export function responsesFinish(status: string, incompleteReason: string | undefined, calledTool: boolean): FinishReason {
  if (status === 'completed') return calledTool ? 'tool_calls' : 'stop';
  if (status === 'incomplete') {
    if (incompleteReason === 'max_output_tokens') return 'length';
    if (incompleteReason === 'content_filter') return 'content_filter';
  }
  return 'other';
}
