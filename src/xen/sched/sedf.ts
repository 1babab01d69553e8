// TEMPORARY placeholder until the SEDF policy lands (being written now).
import { CreditPolicy } from './credit.ts';
export class SedfPolicy extends CreditPolicy {
  override readonly name = 'sedf';
}
